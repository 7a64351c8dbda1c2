fn main() {
    std::process::exit(nianbao::cli::main());
}
