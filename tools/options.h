/* The option parser every subcommand uses: one table per subcommand describes its options, and
 * cli_parse walks argv against it and builds the subcommand's --help from it. */
#ifndef RNNC_CLI_OPTIONS_H
#define RNNC_CLI_OPTIONS_H

#include <stdio.h>

/* What an option's value is, and the type of its dest:
 *   CLI_FLAG    no value; int, set to 1
 *   CLI_STRING  const char * (points into argv)
 *   CLI_INT     long, a whole-string integer in [lo, hi]
 *   CLI_NUMBER  double, a whole-string finite number in [lo, hi]
 *   CLI_CHOICE  int, the index of the value in choices (a NULL-terminated list)
 *   CLI_LIST    cli_list: every value, in order (a repeatable option) */
enum cli_kind { CLI_FLAG, CLI_STRING, CLI_INT, CLI_NUMBER, CLI_CHOICE, CLI_LIST };

enum { CLI_LIST_MAX = 64 };
typedef struct cli_list {
    const char *v[CLI_LIST_MAX];
    int n;
} cli_list;

typedef struct cli_option {
    const char *name; /* "--threads" */
    int kind;         /* enum cli_kind */
    void *dest;
    const char *value;          /* the value's name in the help ("N"); NULL for a flag */
    const char *help;           /* may hold '\n' for more lines */
    double lo, hi;              /* CLI_INT, CLI_NUMBER */
    const char *const *choices; /* CLI_CHOICE */
} cli_option;

/* A subcommand: its name, its arguments as the usage line shows them, a description, and its
 * options (n_opts of them). It takes min_args to max_args arguments (max_args -1: any number);
 * too_many (NULL: "too many arguments") is the message for one more. */
typedef struct cli_command {
    const char *name, *args, *about;
    const cli_option *opts;
    int n_opts, min_args, max_args;
    const char *too_many;
} cli_command;

/* cli_parse's answer when the subcommand goes on: every other answer is its exit code. */
enum { CLI_GO = -1 };

/* Walks argv (argv[0] is the subcommand's name) against c's table: "--name value" and
 * "--name=value" set each option's dest (a dest keeps its default when the option is not given);
 * "--" ends the options; "-" and every word not starting with '-' is an argument. The arguments
 * are moved, in order, to argv[1..*n_args]. Returns CLI_GO, CLI_OK after printing the help for
 * -h or --help, or CLI_USAGE after a message naming the option or argument at fault (an unknown
 * option, a missing or bad value, too many arguments; too few print the help to stderr). */
int cli_parse(const cli_command *c, int argc, char **argv, int *n_args);
/* Prints c's help: the usage line, the description and a line per option. */
void cli_help(const cli_command *c, FILE *f);

#endif
