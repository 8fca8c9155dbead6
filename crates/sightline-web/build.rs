//! rust-embed reads `dist/` when this crate compiles, and cargo would not
//! notice a file added there later; this makes any change under `dist/`
//! rebuild the crate, so the binary always embeds the current bundle.
fn main() {
    println!("cargo:rerun-if-changed=dist");
}
