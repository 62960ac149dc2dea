//! `JsonBody<T>`: a JSON request body that names the offending field in every parse error (unknown
//! field, wrong type, missing field), reads at most the configured number of bytes, and documents
//! itself in the spec exactly like poem-openapi's `Json<T>`.
use poem::{Request, RequestBody};
use poem_openapi::payload::{ParsePayload, Payload};
use poem_openapi::registry::{MetaSchemaRef, Registry};
use poem_openapi::types::{ParseFromJSON, Type};
use serde::de::DeserializeOwned;

use crate::error::{ApiError, FieldProblemBody};

/// The body-size limit, stored in request data by the server.
#[derive(Debug, Clone, Copy)]
pub struct BodyLimit(pub usize);

/// A JSON body parsed with serde (for precise errors) and described by its poem-openapi schema.
#[derive(Debug, Clone)]
pub struct JsonBody<T>(pub T);

impl<T: Type> Payload for JsonBody<T> {
    const CONTENT_TYPE: &'static str = "application/json; charset=utf-8";

    fn check_content_type(content_type: &str) -> bool {
        content_type.split(';').next().is_some_and(|mime| mime.trim().eq_ignore_ascii_case("application/json"))
    }

    fn schema_ref() -> MetaSchemaRef {
        T::schema_ref()
    }

    fn register(registry: &mut Registry) {
        T::register(registry);
    }
}

/// Turns serde's message and path into the field at fault and a plain problem.
fn field_problem(path: &str, message: &str) -> FieldProblemBody {
    let quoted = message.split('`').nth(1).unwrap_or_default();
    let nested = |name: &str| {
        if path == "." || path.is_empty() || path == name || path.ends_with(&format!(".{name}")) {
            if path == "." || path.is_empty() { name.to_owned() } else { path.to_owned() }
        } else {
            format!("{path}.{name}")
        }
    };
    if message.starts_with("unknown field") {
        FieldProblemBody { field: nested(quoted), problem: "is not a field of this request".to_owned() }
    } else if message.starts_with("missing field") {
        FieldProblemBody { field: nested(quoted), problem: "is required".to_owned() }
    } else {
        let problem = message.split(" at line ").next().unwrap_or(message).to_owned();
        FieldProblemBody { field: if path == "." { "body".to_owned() } else { path.to_owned() }, problem }
    }
}

/// The field named by poem-openapi's validator message (``field `count` verification failed. maximum(1000)``).
fn constrained_field(message: &str) -> Option<FieldProblemBody> {
    let (_, rest) = message.split_once("field `")?;
    let (field, problem) = rest.split_once("` ")?;
    Some(FieldProblemBody { field: field.to_owned(), problem: problem.to_owned() })
}

impl<T: Type + ParseFromJSON + DeserializeOwned + Send> ParsePayload for JsonBody<T> {
    const IS_REQUIRED: bool = true;

    async fn from_request(request: &Request, body: &mut RequestBody) -> poem::Result<Self> {
        let limit = request.data::<BodyLimit>().map_or(1024 * 1024, |l| l.0);
        let bytes = body.take()?.into_bytes_limit(limit).await.map_err(|e| match e {
            poem::error::ReadBodyError::PayloadTooLarge => ApiError::too_large(limit),
            other => ApiError::schema(
                "request.unreadable_body",
                format!("The request body could not be read: {other}"),
                "Send the body again.",
                vec![],
            ),
        })?;
        if bytes.iter().all(u8::is_ascii_whitespace) {
            return Err(ApiError::schema(
                "request.missing_body",
                "The request has no body.",
                "Send a JSON object as described in /openapi.json.",
                vec![],
            )
            .into());
        }
        let mut deserializer = serde_json::Deserializer::from_slice(&bytes);
        let parsed = serde_path_to_error::deserialize::<_, T>(&mut deserializer);
        let malformed = |inner: &serde_json::Error| {
            ApiError::schema(
                "request.malformed_json",
                format!("The body is not valid JSON: {inner}"),
                "Send well-formed JSON (check quotes, commas and braces).",
                vec![],
            )
        };
        match parsed {
            Ok(value) => {
                deserializer.end().map_err(|e| malformed(&e))?;
                // The declared constraints (`#[oai(validator(...))]`, e.g. maxLength) as the spec states them.
                let json: serde_json::Value = serde_json::from_slice(&bytes).map_err(|e| malformed(&e))?;
                if let Err(e) = T::parse_from_json(Some(json)) {
                    let message = e.into_message();
                    let fields = constrained_field(&message).into_iter().collect();
                    return Err(ApiError::schema(
                        "request.constraint_violated",
                        format!("The body breaks a declared constraint: {message}"),
                        "Check the field limits in /openapi.json.",
                        fields,
                    )
                    .into());
                }
                Ok(Self(value))
            }
            Err(e) if !e.inner().is_data() => Err(malformed(e.inner()).into()),
            Err(e) => Err(ApiError::schema(
                "request.invalid_json",
                "The body does not match the expected shape.",
                "Fix the named field; the expected shape is in /openapi.json.",
                vec![field_problem(&e.path().to_string(), &e.inner().to_string())],
            )
            .into()),
        }
    }
}

poem_openapi::impl_apirequest_for_payload!(JsonBody<T>, T: Type + ParseFromJSON + DeserializeOwned + Send);

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn serde_messages_become_field_problems() {
        let p = field_problem(".", "unknown field `isAdmin`, expected one of `phone`, `password`");
        assert_eq!((p.field.as_str(), p.problem.as_str()), ("isAdmin", "is not a field of this request"));
        let p = field_problem("location", "missing field `latitude`");
        assert_eq!(p.field, "location.latitude");
        let p = field_problem("phone", "invalid type: integer `5`, expected a string at line 1 column 12");
        assert_eq!((p.field.as_str(), p.problem.as_str()), ("phone", "invalid type: integer `5`, expected a string"));
    }
}
