//! The offline check of a search export, on a small signed log built here:
//! an untouched export holds; any edited printed value, a missing opening,
//! a forged leaf or a wrong signer is named; values sealed before
//! commitments are reported as not checkable rather than trusted.

use super::*;
use crate::checkpoint::{Checkpoint, origin_of};
use crate::entry::{EntryDraft, Outcome};
use crate::merkle::Tree;
use crate::note::NoteSigner;
use base64::engine::general_purpose::STANDARD as B64;
use serde_json::json;
use sightline_core::{AgencyId, TenantScope};
use time::macros::datetime;

struct Log {
    signer: NoteSigner,
    export: SearchExport,
}

/// Two entries: a query with a sealed, committed plate and case reference,
/// and an older one whose plate was sealed without a commitment.
fn log() -> Log {
    let scope = TenantScope::Agency(AgencyId(4));
    let opening = [9u8; 32];
    let sealed = |v: &str, commit: bool| {
        let mut o = json!({"sealed": "AAAA", "key": 202611});
        if commit {
            o["commit"] = json!(commitment::commit(&opening, &json!(v)));
        }
        o
    };
    let actor = Actor::User {
        id: 2,
        username: "hsi.jones".into(),
    };
    let entries = [
        EntryDraft::new(scope, actor.clone(), "query.run", Outcome::Success)
            .field("plate", sealed("ABC123", true))
            .field("case_reference", sealed("=HSI-2026-000001", true))
            .field("state", "PA")
            .field("reason_code", "criminal-investigation"),
        EntryDraft::new(scope, actor, "query.run", Outcome::Success)
            .field("plate", sealed("OLD999", false))
            .field("state", "NJ"),
    ]
    .into_iter()
    .enumerate()
    .map(|(i, d)| {
        Entry::place(
            d,
            i64::try_from(i).unwrap() + 1,
            datetime!(2026-11-21 12:00:00.25 UTC),
        )
    })
    .collect::<Vec<_>>();
    let canon: Vec<String> = entries
        .iter()
        .map(|e| String::from_utf8(e.canonical()).unwrap())
        .collect();
    let tree = Tree::from_leaves(canon.iter().map(|c| leaf_hash(c.as_bytes())));
    let signer = NoteSigner::new(&origin_of(&scope.log_id()), &[5u8; 32]).unwrap();
    let checkpoint = Checkpoint {
        origin: origin_of(&scope.log_id()),
        size: 2,
        root: tree.root(2).unwrap(),
    };
    let note = signer.sign(&checkpoint.body()).unwrap();
    let printed = [
        vec![
            ("plate", "ABC123"),
            ("case_reference", "'=HSI-2026-000001"),
            ("state", "PA"),
        ],
        vec![("plate", "OLD999"), ("state", "NJ")],
    ];
    let export = SearchExport {
        note,
        entries: entries
            .iter()
            .zip(&canon)
            .zip(printed)
            .map(|((e, c), printed)| ExportedEntry {
                seq: e.seq,
                leaf_hash: hex::encode(leaf_hash(c.as_bytes())),
                canonical: c.clone(),
                inclusion_proof: tree
                    .inclusion_proof(u64::try_from(e.seq - 1).unwrap(), 2)
                    .unwrap()
                    .iter()
                    .map(hex::encode)
                    .collect(),
                printed: [
                    Printed::Column(Column::Seq, e.seq.to_string()),
                    Printed::Column(Column::Time, "2026-11-21T12:00:00Z".into()),
                    Printed::Column(Column::User, "hsi.jones".into()),
                    Printed::Column(Column::Action, "query.run".into()),
                ]
                .into_iter()
                .chain(printed.iter().map(|(f, v)| {
                    let name = READABLE_COLUMNS
                        .iter()
                        .find_map(|(_, c)| matches!(c, Column::Field(n) if n == f).then_some(*c))
                        .unwrap();
                    Printed::Column(name, (*v).to_owned())
                }))
                .collect(),
                openings: if e.seq == 1 {
                    ["plate", "case_reference"]
                        .map(|f| (f.to_owned(), B64.encode(opening)))
                        .into()
                } else {
                    BTreeMap::new()
                },
            })
            .collect(),
    };
    Log { signer, export }
}

fn printed_mut(export: &mut SearchExport, seq: usize, column: Column) -> &mut String {
    export.entries[seq - 1]
        .printed
        .iter_mut()
        .find_map(|p| match p {
            Printed::Column(c, text) if *c == column => Some(text),
            _ => None,
        })
        .unwrap()
}

#[test]
fn an_untouched_export_holds_and_says_what_it_could_not_check() {
    let l = log();
    let v = verify_search_export(&l.export, &l.signer.verifier()).unwrap();
    assert_eq!(v.entries, 2);
    assert_eq!(v.tree_size, 2);
    assert_eq!(
        v.values,
        4 + 3 + 4 + 1,
        "every printed value but the old plate"
    );
    assert_eq!(v.unchecked, vec![(2, "plate".to_owned())]);
}

#[test]
fn every_edited_value_is_named_by_entry() {
    for (seq, column, forged) in [
        (1, Column::Field("plate"), "ABC124"),
        (1, Column::Field("case_reference"), "HSI-2026-000002"),
        (1, Column::Field("state"), "NJ"),
        (1, Column::User, "someone.else"),
        (1, Column::Action, "query.replayed"),
        (1, Column::Time, "2026-11-21T12:00:01Z"),
        (2, Column::Field("state"), "PA"),
    ] {
        let mut l = log();
        *printed_mut(&mut l.export, seq, column) = forged.into();
        let f = verify_search_export(&l.export, &l.signer.verifier()).unwrap_err();
        assert_eq!(f.seq, Some(i64::try_from(seq).unwrap()), "{column:?}: {f}");
    }
}

#[test]
fn a_printed_sealed_value_needs_its_opening() {
    let mut l = log();
    l.export.entries[0].openings.remove("plate");
    let f = verify_search_export(&l.export, &l.signer.verifier()).unwrap_err();
    assert!(f.message.contains("no opening"), "{f}");
    // A forged opening does not open the commitment either.
    let mut l = log();
    l.export.entries[0]
        .openings
        .insert("plate".into(), B64.encode([1u8; 32]));
    assert!(verify_search_export(&l.export, &l.signer.verifier()).is_err());
}

#[test]
fn forged_bytes_proofs_and_signers_fail() {
    let mut l = log();
    l.export.entries[0].canonical = l.export.entries[0].canonical.replace("PA", "NJ");
    assert!(
        verify_search_export(&l.export, &l.signer.verifier())
            .unwrap_err()
            .message
            .contains("leaf")
    );
    let mut l = log();
    l.export.entries[1].inclusion_proof.clear();
    assert_eq!(
        verify_search_export(&l.export, &l.signer.verifier())
            .unwrap_err()
            .seq,
        Some(2)
    );
    let l = log();
    let other = NoteSigner::new(
        &origin_of(&TenantScope::Agency(AgencyId(4)).log_id()),
        &[6u8; 32],
    )
    .unwrap();
    assert!(verify_search_export(&l.export, &other.verifier()).is_err());
}

#[test]
fn the_table_forms_read_back_to_the_same_export() {
    let l = log();
    let headers: Vec<String> = READABLE_COLUMNS
        .iter()
        .map(|(n, _)| (*n).to_owned())
        .chain([LEAF_COLUMN, PROOF_COLUMN, CANONICAL_COLUMN, OPENINGS_COLUMN].map(str::to_owned))
        .collect();
    let rows: Vec<Vec<String>> = l
        .export
        .entries
        .iter()
        .map(|e| {
            let entry: Entry = serde_json::from_str(&e.canonical).unwrap();
            READABLE_COLUMNS
                .iter()
                .map(|(_, c)| {
                    match (
                        c,
                        e.printed
                            .iter()
                            .find(|p| matches!(p, Printed::Column(pc, _) if pc == c)),
                    ) {
                        (_, Some(Printed::Column(_, t))) => t.clone(),
                        // Columns the fixture left out print what the entry holds.
                        _ => readable(&entry, *c),
                    }
                })
                .chain([
                    e.leaf_hash.clone(),
                    e.inclusion_proof.join(" "),
                    e.canonical.clone(),
                    json!(e.openings).to_string(),
                ])
                .collect()
        })
        .collect();
    let mut sheet = vec![
        vec!["Sightline audit log export".to_owned()],
        vec![NOTE_HEADER.to_owned(), B64.encode(&l.export.note)],
        vec![],
        headers.clone(),
    ];
    sheet.extend(rows.clone());
    let read = parse_sheet(&sheet).unwrap();
    assert_eq!(read.note, l.export.note);
    let v = verify_search_export(&read, &l.signer.verifier()).unwrap();
    assert_eq!(v.entries, 2);
    // The CSV form: `# ` header lines, then the table.
    let mut w = csv::Writer::from_writer(Vec::new());
    w.write_record(&headers).unwrap();
    for r in &rows {
        w.write_record(r).unwrap();
    }
    let csv = format!(
        "# Agency: 4\n# {NOTE_HEADER}: {}\n{}",
        B64.encode(&l.export.note),
        String::from_utf8(w.into_inner().unwrap()).unwrap()
    );
    let v = verify_search_export(&parse_csv(&csv).unwrap(), &l.signer.verifier()).unwrap();
    assert_eq!((v.entries, v.unchecked.len()), (2, 1));
    assert!(
        verify_search_export(
            &parse_csv(&csv.replace("ABC123", "ABC124")).unwrap(),
            &l.signer.verifier()
        )
        .is_err()
    );
}
