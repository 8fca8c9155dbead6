//! The certificate-transparency reference vectors (RFC 6962 §2.1.3 tree of
//! eight leaves) and properties over random trees.
#![allow(clippy::unwrap_used, clippy::indexing_slicing)]

use super::*;
use crate::hash::leaf_hash;
use proptest::prelude::*;

fn leaves() -> Vec<Digest> {
    let raw: [&[u8]; 8] = [
        b"",
        &[0x00],
        &[0x10],
        &[0x20, 0x21],
        &[0x30, 0x31],
        &[0x40, 0x41, 0x42, 0x43],
        &[0x50, 0x51, 0x52, 0x53, 0x54, 0x55, 0x56, 0x57],
        &[
            0x60, 0x61, 0x62, 0x63, 0x64, 0x65, 0x66, 0x67, 0x68, 0x69, 0x6a, 0x6b, 0x6c, 0x6d,
            0x6e, 0x6f,
        ],
    ];
    raw.iter().map(|d| leaf_hash(d)).collect()
}

fn d(hex_str: &str) -> Digest {
    hex::decode(hex_str).unwrap().try_into().unwrap()
}

fn ds(hexes: &[&str]) -> Vec<Digest> {
    hexes.iter().map(|h| d(h)).collect()
}

const ROOTS: [&str; 8] = [
    "6e340b9cffb37a989ca544e6bb780a2c78901d3fb33738768511a30617afa01d",
    "fac54203e7cc696cf0dfcb42c92a1d9dbaf70ad9e621f4bd8d98662f00e3c125",
    "aeb6bcfe274b70a14fb067a5e5578264db0fa9b51af5e0ba159158f329e06e77",
    "d37ee418976dd95753c1c73862b9398fa2a2cf9b4ff0fdfe8b30cd95209614b7",
    "4e3bbb1f7b478dcfe71fb631631519a3bca12c9aefca1612bfce4c13a86264d4",
    "76e67dadbcdf1e10e1b74ddc608abd2f98dfb16fbce75277b5232a127f2087ef",
    "ddb89be403809e325750d3d263cd78929c2942b7942a34b77e122c9594a74c8c",
    "5dc9da79a70659a9ad559cb701ded9a2ab9d823aad2f4960cfe370eff4604328",
];

#[test]
fn roots_match_reference_vectors() {
    let tree = Tree::from_leaves(leaves());
    assert_eq!(
        hex::encode(tree.root(0).unwrap()),
        "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855"
    );
    for (i, want) in ROOTS.iter().enumerate() {
        assert_eq!(
            hex::encode(tree.root(i as u64 + 1).unwrap()),
            *want,
            "size {}",
            i + 1
        );
    }
    assert_eq!(tree.root(9), None);
}

#[test]
fn inclusion_proofs_match_reference_vectors() {
    let tree = Tree::from_leaves(leaves());
    let cases: [(u64, u64, Vec<Digest>); 5] = [
        (0, 1, vec![]),
        (
            0,
            8,
            ds(&[
                "96a296d224f285c67bee93c30f8a309157f0daa35dc5b87e410b78630a09cfc7",
                "5f083f0a1a33ca076a95279832580db3e0ef4584bdff1f54c8a360f50de3031e",
                "6b47aaf29ee3c2af9af889bc1fb9254dabd31177f16232dd6aab035ca39bf6e4",
            ]),
        ),
        (
            5,
            8,
            ds(&[
                "bc1a0643b12e4d2d7c77918f44e0f4f79a838b6cf9ec5b5c283e1f4d88599e6b",
                "ca854ea128ed050b41b35ffc1b87b8eb2bde461e9e3b5596ece6b9d5975a0ae0",
                "d37ee418976dd95753c1c73862b9398fa2a2cf9b4ff0fdfe8b30cd95209614b7",
            ]),
        ),
        (
            2,
            3,
            ds(&["fac54203e7cc696cf0dfcb42c92a1d9dbaf70ad9e621f4bd8d98662f00e3c125"]),
        ),
        (
            1,
            5,
            ds(&[
                "6e340b9cffb37a989ca544e6bb780a2c78901d3fb33738768511a30617afa01d",
                "5f083f0a1a33ca076a95279832580db3e0ef4584bdff1f54c8a360f50de3031e",
                "bc1a0643b12e4d2d7c77918f44e0f4f79a838b6cf9ec5b5c283e1f4d88599e6b",
            ]),
        ),
    ];
    let l = leaves();
    for (index, size, want) in cases {
        assert_eq!(
            tree.inclusion_proof(index, size).unwrap(),
            want,
            "{index}/{size}"
        );
        let root = d(ROOTS[size as usize - 1]);
        assert!(verify_inclusion(
            index,
            size,
            &l[index as usize],
            &want,
            &root
        ));
    }
    assert_eq!(tree.inclusion_proof(0, 0), None);
    assert_eq!(tree.inclusion_proof(8, 8), None);
}

#[test]
fn consistency_proofs_match_reference_vectors() {
    let tree = Tree::from_leaves(leaves());
    let cases: [(u64, u64, Vec<Digest>); 4] = [
        (1, 1, vec![]),
        (
            1,
            8,
            ds(&[
                "96a296d224f285c67bee93c30f8a309157f0daa35dc5b87e410b78630a09cfc7",
                "5f083f0a1a33ca076a95279832580db3e0ef4584bdff1f54c8a360f50de3031e",
                "6b47aaf29ee3c2af9af889bc1fb9254dabd31177f16232dd6aab035ca39bf6e4",
            ]),
        ),
        (
            6,
            8,
            ds(&[
                "0ebc5d3437fbe2db158b9f126a1d118e308181031d0a949f8dededebc558ef6a",
                "ca854ea128ed050b41b35ffc1b87b8eb2bde461e9e3b5596ece6b9d5975a0ae0",
                "d37ee418976dd95753c1c73862b9398fa2a2cf9b4ff0fdfe8b30cd95209614b7",
            ]),
        ),
        (
            2,
            5,
            ds(&[
                "5f083f0a1a33ca076a95279832580db3e0ef4584bdff1f54c8a360f50de3031e",
                "bc1a0643b12e4d2d7c77918f44e0f4f79a838b6cf9ec5b5c283e1f4d88599e6b",
            ]),
        ),
    ];
    for (old, new, want) in cases {
        assert_eq!(
            tree.consistency_proof(old, new).unwrap(),
            want,
            "{old}->{new}"
        );
        let (r1, r2) = (d(ROOTS[old as usize - 1]), d(ROOTS[new as usize - 1]));
        assert!(verify_consistency(old, new, &r1, &r2, &want));
    }
    assert!(verify_consistency(0, 8, &empty_root(), &d(ROOTS[7]), &[]));
    assert_eq!(tree.consistency_proof(5, 4), None);
}

fn random_leaves(n: usize, salt: u8) -> Vec<Digest> {
    (0..n)
        .map(|i| leaf_hash(&[salt, (i & 0xff) as u8, (i >> 8) as u8]))
        .collect()
}

fn flip(mut h: Digest, bit: usize) -> Digest {
    h[(bit / 8) % 32] ^= 1 << (bit % 8);
    h
}

proptest! {
    #[test]
    fn every_inclusion_proof_verifies_and_a_wrong_one_fails(
        n in 1usize..300, pick in any::<prop::sample::Index>(), size_pick in any::<prop::sample::Index>(),
        bit in 0usize..256, salt in any::<u8>(),
    ) {
        let l = random_leaves(n, salt);
        let tree = Tree::from_leaves(l.clone());
        let size = size_pick.index(n) as u64 + 1;
        let index = pick.index(size as usize) as u64;
        let root = tree.root(size).unwrap();
        let proof = tree.inclusion_proof(index, size).unwrap();
        let leaf = l[index as usize];
        prop_assert!(verify_inclusion(index, size, &leaf, &proof, &root));
        // A different leaf, root, position or a damaged path fails.
        prop_assert!(!verify_inclusion(index, size, &flip(leaf, bit), &proof, &root));
        prop_assert!(!verify_inclusion(index, size, &leaf, &proof, &flip(root, bit)));
        if !proof.is_empty() {
            let mut bad = proof.clone();
            let i = bit % bad.len();
            bad[i] = flip(bad[i], bit);
            prop_assert!(!verify_inclusion(index, size, &leaf, &bad, &root));
            prop_assert!(!verify_inclusion(index, size, &leaf, &proof[1..], &root));
        }
        if size > 1 {
            let other = (index + 1) % size;
            if l[other as usize] != leaf {
                prop_assert!(!verify_inclusion(other, size, &leaf, &proof, &root));
            }
        }
        prop_assert!(!verify_inclusion(size, size, &leaf, &proof, &root));
    }

    #[test]
    fn every_consistency_proof_verifies_and_a_wrong_one_fails(
        n in 1usize..300, a in any::<prop::sample::Index>(), b in any::<prop::sample::Index>(),
        bit in 0usize..256, salt in any::<u8>(),
    ) {
        let l = random_leaves(n, salt);
        let tree = Tree::from_leaves(l.clone());
        let (x, y) = (a.index(n + 1) as u64, b.index(n + 1) as u64);
        let (old, new) = (x.min(y), x.max(y));
        let (r1, r2) = (tree.root(old).unwrap(), tree.root(new).unwrap());
        let proof = tree.consistency_proof(old, new).unwrap();
        prop_assert!(verify_consistency(old, new, &r1, &r2, &proof));
        if old < new {
            prop_assert!(!verify_consistency(old, new, &flip(r1, bit), &r2, &proof));
            if !proof.is_empty() {
                prop_assert!(!verify_consistency(old, new, &r1, &flip(r2, bit), &proof));
                let mut bad = proof.clone();
                let i = bit % bad.len();
                bad[i] = flip(bad[i], bit);
                prop_assert!(!verify_consistency(old, new, &r1, &r2, &bad));
            }
            // A tree that rewrote an old leaf is not an extension.
            if old > 0 {
                let mut forged = l.clone();
                let i = (bit as u64 % old) as usize;
                forged[i] = flip(forged[i], bit);
                let f = Tree::from_leaves(forged);
                let p = f.consistency_proof(old, new).unwrap();
                prop_assert!(!verify_consistency(old, new, &r1, &f.root(new).unwrap(), &p));
            }
        }
    }

    #[test]
    fn incremental_roots_equal_recomputed_roots(n in 1usize..200, salt in any::<u8>()) {
        let l = random_leaves(n, salt);
        let tree = Tree::from_leaves(l.clone());
        for size in 1..=n {
            let fresh = Tree::from_leaves(l[..size].iter().copied());
            prop_assert_eq!(tree.root(size as u64), fresh.root(size as u64));
        }
    }
}
