// The `talentcast` command: see `talentcast --help` and docs/cli.md.
#include "cli.hpp"

int main(int argc, char** argv) {
  return talentcast::cli::main(argc, argv);
}
