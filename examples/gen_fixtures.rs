//! Writes the bundled fixtures, or the sparse 405B-shaped checkpoint.
//!
//! ```text
//! cargo run --example gen_fixtures                     # rewrites fixtures/
//! cargo run --example gen_fixtures -- OUT_DIR          # writes them elsewhere
//! cargo run --example gen_fixtures -- --sparse-405b DIR  # the benchmark checkpoint
//! ```

#[path = "../tests/support/fixture_gen.rs"]
mod fixture_gen;

use std::path::PathBuf;

fn main() -> std::io::Result<()> {
    let args: Vec<String> = std::env::args().skip(1).collect();
    match args.as_slice() {
        [flag, dir] if flag == "--sparse-405b" => {
            fixture_gen::write_llama405b_sparse(&PathBuf::from(dir))?;
            eprintln!("wrote a sparse Llama-3.1-405B-shaped checkpoint to {dir}");
        }
        [] => {
            fixture_gen::write_fixtures(&PathBuf::from("fixtures"))?;
            eprintln!("wrote fixtures/");
        }
        [dir] => {
            fixture_gen::write_fixtures(&PathBuf::from(dir))?;
            eprintln!("wrote fixtures to {dir}");
        }
        _ => {
            eprintln!("usage: gen_fixtures [OUT_DIR] | --sparse-405b DIR");
            std::process::exit(2);
        }
    }
    Ok(())
}
