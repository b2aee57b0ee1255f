//! Swagger 2.0 specs are read into the same model: body and form-data
//! parameters, `consumes`/`produces`, `securityDefinitions`, `definitions`.

use serde_json::json;
use wiremock::matchers::{method, path};
use wiremock::{Mock, MockServer, ResponseTemplate};

polvo::service!("tests/specs/swagger/petstore.yaml", name = "petshop");

use petshop::types::NewPet;

#[tokio::test]
async fn a_swagger_2_spec_becomes_a_client() {
    assert_eq!(petshop::Client::DEFAULT_BASE_URL, "https://petshop.example.com/v2");
    let server = MockServer::start().await;
    Mock::given(method("GET"))
        .and(path("/v2/pets"))
        .respond_with(ResponseTemplate::new(200).set_body_json(json!([{"id": 1, "name": "Rex", "nickname": null}])))
        .mount(&server)
        .await;
    Mock::given(method("POST"))
        .and(path("/v2/pets"))
        .respond_with(ResponseTemplate::new(201).set_body_json(json!({"id": 2, "name": "Tom"})))
        .mount(&server)
        .await;
    Mock::given(method("POST")).respond_with(ResponseTemplate::new(200)).mount(&server).await;
    let client = petshop::Client::builder()
        .base_url(format!("{}/v2", server.uri()))
        .credential(petshop::auth::api_key("k-123"))
        .build()
        .unwrap();

    let pets = client
        .pets()
        .list_pets()
        .limit(5)
        .tags(vec!["a".to_owned(), "b".to_owned()])
        .ids(vec![1, 2])
        .send()
        .await
        .unwrap();
    assert_eq!((pets[0].id, pets[0].name.as_str(), pets[0].nickname.as_deref()), (1, "Rex", None));
    let added = client.pets().add_pet(NewPet { name: "Tom".into(), nickname: None }).send().await.unwrap();
    assert_eq!(added.id, 2);
    client
        .pets()
        .upload_photo(
            2,
            petshop::types::UploadPhotoBody { file: polvo::Binary::from(vec![1u8, 2]), caption: Some("c".into()) },
        )
        .send()
        .await
        .unwrap();
    client.pets().rename_pet(2, petshop::types::RenamePetBody { name: "Thomas".into() }).send().await.unwrap();

    let requests = server.received_requests().await.unwrap();
    assert_eq!(requests[0].url.query(), Some("limit=5&tags=a&tags=b&ids=1%2C2"), "multi repeats, csv joins");
    assert!(
        requests.iter().all(|r| r.headers.get("x-api-key").is_some_and(|v| v == "k-123")),
        "the security definition applies"
    );
    assert_eq!(requests[1].headers["content-type"], "application/json");
    assert_eq!(&requests[1].body[..], br#"{"name":"Tom"}"#);
    assert!(requests[2].headers["content-type"].to_str().unwrap().starts_with("multipart/form-data"));
    assert_eq!(requests[3].headers["content-type"], "application/x-www-form-urlencoded");
    assert_eq!(&requests[3].body[..], b"name=Thomas");
}

polvo::service!("tests/specs/swagger/unquoted-version.yaml", name = "unquoted_swagger");
polvo::service!("tests/specs/quirks/unquoted-version.yaml", name = "unquoted_openapi");

#[test]
fn versions_written_as_yaml_numbers_are_read() {
    assert_eq!(unquoted_swagger::Client::DEFAULT_BASE_URL, "https://unquoted.example.com");
    let _: unquoted_swagger::Ping = unquoted_swagger::Client::new().unwrap().ping();
    let _: unquoted_openapi::Ping = unquoted_openapi::Client::new().unwrap().ping();
}

polvo::service!("tests/specs/swagger/renames.yaml", name = "kennel");

#[test]
fn definitions_are_renamed_like_component_schemas() {
    let animals: kennel::types::Animals =
        serde_json::from_value(json!([{"name": "Rex", "friend": {"name": "Tom"}}])).unwrap();
    let rex: &kennel::types::Animal = &animals[0];
    assert_eq!(rex.friend.as_ref().map(|f| f.name.as_str()), Some("Tom"));
    let _: kennel::ListPets = kennel::Client::new().unwrap().list_pets();
    // Definitions reached only through the top-level `parameters` and `responses`.
    let _: kennel::AddPet = kennel::Client::new().unwrap().add_pet(kennel::types::NewAnimal { name: "Rex".into() });
    let trouble: kennel::types::Trouble = serde_json::from_value(json!({"message": "no"})).unwrap();
    assert_eq!(trouble.message.as_deref(), Some("no"));
}

#[test]
fn rename_errors_of_a_swagger_spec_name_definitions() {
    let errors = polvo_codegen::Generator::new("kennel")
        .spec("tests/specs/broken/swagger-bad-rename.yaml", "swagger-bad-rename.yaml")
        .generate()
        .expect_err("the renames are wrong");
    let errors: Vec<String> = errors.errors().map(|e| format!("{}: {}", e.place(), e.message)).collect();
    assert_eq!(
        errors,
        [
            "swagger-bad-rename.yaml#/x-polvo/rename/types/Missing: there is no schema `Missing` in `definitions` to rename",
            "swagger-bad-rename.yaml#/x-polvo/rename/types/Pet: `Owner` is the name of the schema `Owner` too; choose a name no other schema has",
        ]
    );
}

#[test]
fn rename_errors_of_a_service_mixing_swagger_and_openapi_files_name_both_places() {
    let errors = polvo_codegen::Generator::new("mixed")
        .spec("tests/specs/broken/swagger-bad-rename.yaml", "swagger-bad-rename.yaml")
        .spec("tests/specs/multi/companies.yaml", "companies.yaml")
        .generate()
        .expect_err("the renames are wrong");
    let missing: Vec<String> = errors.errors().map(|e| e.message.clone()).filter(|m| m.contains("Missing")).collect();
    assert_eq!(missing, ["there is no schema `Missing` in `definitions` or `components.schemas` to rename"]);
}

polvo::service!("tests/specs/swagger/insecure-token.yaml", name = "insecure_token");

#[test]
fn a_plain_http_token_url_of_a_swagger_spec_is_noted_and_refused_when_used() {
    let err = insecure_token::Client::builder()
        .credential(insecure_token::auth::machine("id").client_secret("secret"))
        .build()
        .unwrap_err();
    assert!(matches!(err, polvo::BuildError::Auth(polvo::auth::AuthError::InsecureUrl { .. })), "{err}");
    insecure_token::Client::builder()
        .credential(
            insecure_token::auth::machine("id").client_secret("secret").token_url("https://auth.example.com/token"),
        )
        .build()
        .expect("an https override is accepted");
    let output = polvo_codegen::Generator::new("insecure_token")
        .spec("tests/specs/swagger/insecure-token.yaml", "insecure-token.yaml")
        .generate()
        .expect("generated");
    let places: Vec<String> = output.warnings.iter().map(|w| w.place()).collect();
    assert_eq!(places, ["insecure-token.yaml#/securityDefinitions/machine/tokenUrl"]);
}
