#define CATCH_CONFIG_RUNNER
#include <catch2/catch.hpp>

#include "support.hpp"

int main(int argc, char* argv[]) {
  return talentcast::test::exit_code(Catch::Session().run(argc, argv));
}
