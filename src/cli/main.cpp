// The `outcore` command: builds the CLI11 app from the registered subcommands
// (one file each in src/cli/) and runs the chosen one.
#include <algorithm>
#include <cstdio>
#include <string>
#include <utility>
#include <vector>

#include "cli/cli_util.h"
#include "cli/command.h"
#include "outcore/status.h"

namespace outcore::cli {
namespace {
std::vector<std::pair<int, CommandSetup>>& Registry() {
  static std::vector<std::pair<int, CommandSetup>> registry;
  return registry;
}
int g_exit_code = 0;
}  // namespace

void SetExitCode(int code) { g_exit_code = code; }

CommandRegistrar::CommandRegistrar(int order, CommandSetup setup) { Registry().emplace_back(order, setup); }

}  // namespace outcore::cli

int main(int argc, char** argv) {
  using namespace outcore::cli;
  CLI::App app{
      "outcore: tabular data larger than memory, in a memory budget you set.\n"
      "\n"
      "  outcore gen --size 1G -o sample.csv\n"
      "  outcore ingest sample.csv -o sample.oc --memory-limit 256MiB --reject rejects.csv\n"
      "  outcore info sample.oc\n"
      "  outcore cat sample.oc --columns id,topic --limit 10\n"
      "  outcore cat sample.oc --where \"topic == 'food' and price > 100\" --columns id,price\n",
      "outcore"};
  app.set_version_flag("--version", "outcore 0.1.0");
  app.require_subcommand(1);
  app.fallthrough(false);
  auto registry = Registry();
  std::stable_sort(registry.begin(), registry.end(), [](auto& a, auto& b) { return a.first < b.first; });
  for (auto& entry : registry) entry.second(app);
  std::vector<std::string> names;
  for (const CLI::App* command : app.get_subcommands({})) names.push_back(command->get_name());
  if (argc > 1 && argv[1][0] != '-' && std::find(names.begin(), names.end(), argv[1]) == names.end()) {
    // CLI11 would only say "A subcommand is required".
    std::string nearest = NearestName(argv[1], names);
    std::string all;
    for (const std::string& name : names) all += (all.empty() ? "" : ", ") + name;
    if (!nearest.empty()) {
      std::fprintf(stderr, "outcore: unknown command '%s'; did you mean '%s'?\n", argv[1], nearest.c_str());
    } else {
      std::fprintf(stderr, "outcore: unknown command '%s'; the commands are: %s\n", argv[1], all.c_str());
    }
    std::fprintf(stderr, "Run outcore --help for what each does.\n");
    return kExitUsage;
  }
  try {
    app.parse(argc, argv);
  } catch (const CLI::CallForHelp& e) {
    return app.exit(e);
  } catch (const CLI::CallForAllHelp& e) {
    return app.exit(e);
  } catch (const CLI::CallForVersion& e) {
    return app.exit(e);
  } catch (const CLI::ParseError& e) {
    app.exit(e);
    return kExitUsage;
  }
  return g_exit_code;
}
