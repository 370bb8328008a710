// How a subcommand joins the `outcore` command: each src/cli/<name>.cpp defines
// a function that adds its CLI11 subcommand, and registers it with
// OUTCORE_COMMAND(order, Function). main.cpp builds the app from the registry,
// sorted by `order` (the order `outcore --help` lists them in).
#pragma once

#include <CLI/CLI.hpp>

#include "outcore/status.h"

namespace outcore::cli {

using CommandSetup = void (*)(CLI::App& app);

// A subcommand's callback records its exit status here; main() returns it.
void SetExitCode(int code);

struct CommandRegistrar {
  CommandRegistrar(int order, CommandSetup setup);
};

// Exit codes shared by all subcommands.
inline constexpr int kExitOk = 0;
inline constexpr int kExitFailure = 1;  // the work failed (I/O, corrupt file, data error)
inline constexpr int kExitUsage = 2;    // bad arguments
inline constexpr int kExitInterrupted = 130;

}  // namespace outcore::cli

#define OUTCORE_COMMAND(order, setup) \
  static ::outcore::cli::CommandRegistrar OC_CONCAT(oc_command_, __LINE__)(order, setup)
