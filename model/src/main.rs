//! `quorum-model`: a thin command line over the library (the `cli` module,
//! built with the default `cli` feature).

fn main() -> std::process::ExitCode {
    quorum_model::cli::main()
}
