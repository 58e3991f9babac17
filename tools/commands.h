/* The keel subcommands. */
#ifndef KEEL_TOOLS_COMMANDS_H
#define KEEL_TOOLS_COMMANDS_H

int cmd_info(int argc, char **argv);
int cmd_exec(int argc, char **argv);
int cmd_run(int argc, char **argv);
int cmd_link(int argc, char **argv);
int cmd_map(int argc, char **argv);

#endif
