// A `$ref` into a file that does not parse reports the file's own error,
// with line and column; one into a missing file says where it looked.
polvo::service!("tests/specs/broken/bad-file-ref.yaml");

fn main() {}
