// `ClientAuth` may gain methods (mutual TLS): a match needs a wildcard arm.
fn name(auth: polvo::auth::ClientAuth) -> &'static str {
    match auth {
        polvo::auth::ClientAuth::ClientSecretBasic => "basic",
        polvo::auth::ClientAuth::ClientSecretPost => "post",
        polvo::auth::ClientAuth::PrivateKeyJwt => "jwt",
        polvo::auth::ClientAuth::None => "none",
    }
}

fn main() {
    let _ = name(polvo::auth::ClientAuth::None);
}
