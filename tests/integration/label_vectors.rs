//! Freezes the dedup label algorithm: every vector in `fixtures/labels/vectors.json` (computed
//! independently, in Python, from the documented algorithm) must produce exactly its label.
//! A failure here means the algorithm changed, which would re-file every open bug: fix the code,
//! never the vectors.

use xray_sync::plan::{IssueKey, TestIdentity, dedup_label, label};

#[derive(serde::Deserialize)]
struct Doc {
    vectors: Vec<Vector>,
}

#[derive(serde::Deserialize)]
struct Vector {
    prefix: String,
    identity: Identity,
    label: String,
    why: String,
}

#[derive(serde::Deserialize)]
struct Identity {
    kind: String,
    value: String,
}

#[test]
fn every_vector_matches() {
    let text = std::fs::read_to_string(concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/fixtures/labels/vectors.json"
    ))
    .expect("vectors file");
    let doc: Doc = serde_json::from_str(&text).expect("vectors parse");
    assert!(doc.vectors.len() >= 20);
    for v in &doc.vectors {
        let identity = match v.identity.kind.as_str() {
            "key" => TestIdentity::Key(IssueKey::parse(&v.identity.value).expect("vector key")),
            "definition" => TestIdentity::Definition(v.identity.value.clone()),
            other => panic!("unknown identity kind {other}"),
        };
        let got = dedup_label(&v.prefix, &identity);
        assert_eq!(got, v.label, "vector: {}", v.why);
        assert!(
            label::is_label_safe(&got),
            "{got} is not label-safe ({})",
            v.why
        );
        assert!(got.len() <= 255);
    }
}
