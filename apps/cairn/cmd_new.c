/*
 * cmd_new.c — `cairn new NAME [--isa rv32i|rv32im] [--sdk DIR]`: create a
 * guest project, a directory NAME holding main.c (reads its input, prints
 * with picolibc's printf), a Makefile that builds NAME.elf with the guest
 * SDK and proves and verifies it (`make prove`), a README with the
 * commands, an example input and a .gitignore (docs/guests.md).
 *
 * The Makefile names the SDK and this cairn program by absolute path, so
 * it works wherever the project is moved.  The SDK is the installed one
 * (PREFIX/share/cairn/sdk beside PREFIX/bin/cairn) or the source tree's
 * (guest/sdk, two levels above build/release/cairn), found from this
 * program's own path; --sdk or the CAIRN_SDK environment variable name
 * another.  Nothing is left behind on failure: the files written so far
 * and the directory are removed.
 */
#include <errno.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "cli.h"

void cmd_new_help(FILE *out)
{
    fprintf(out,
            "usage: cairn new NAME [--isa rv32i|rv32im] [--sdk DIR]\n"
            "\n"
            "Create a guest project in the new directory NAME: main.c (reads its input\n"
            "and prints with printf), a Makefile, README.md, input.txt and .gitignore.\n"
            "In it, `make` builds build/ISA/NAME.elf, `make run` runs it on input.txt and\n"
            "`make prove` proves the run and verifies the proof.\n"
            "  --isa ISA         rv32i (default) or rv32im (the M extension); both are\n"
            "                    provable\n"
            "  --sdk DIR         the guest SDK to build with (default: $CAIRN_SDK, else the\n"
            "                    installed share/cairn/sdk or the source tree's guest/sdk)\n"
            "\n"
            "Exit status: 0 created; 2 usage (NAME not made of letters, digits, '-', '_',\n"
            "'.'); 4 NAME exists, a file could not be written, or no SDK was found.\n");
}

/* The SDK files a guest build needs; a directory holding all of them is an SDK. */
static const char *const sdk_files[] = {"crt0.S", "cairn.ld", "cairn_guest.h", "cairn_guest.c"};

static int is_sdk(const char *dir)
{
    char path[PATH_MAX];
    for (size_t i = 0; i < sizeof sdk_files / sizeof sdk_files[0]; i++) {
        int n = snprintf(path, sizeof path, "%s/%s", dir, sdk_files[i]);
        if (n < 0 || (size_t)n >= sizeof path || access(path, R_OK) != 0)
            return 0;
    }
    return 1;
}

/*
 * Resolve `dir` (relative to `base` when base is not NULL) to an absolute
 * path in out (PATH_MAX bytes) if it is an SDK.  Returns 1 when found.
 */
static int try_sdk(char *out, const char *base, const char *dir)
{
    char path[PATH_MAX];
    int n = base != NULL ? snprintf(path, sizeof path, "%s/%s", base, dir)
                         : snprintf(path, sizeof path, "%s", dir);
    if (n < 0 || (size_t)n >= sizeof path || realpath(path, out) == NULL)
        return 0;
    return is_sdk(out);
}

/*
 * This program's absolute path (for the Makefile's CAIRN) and its
 * directory.  /proc/self/exe is Linux's; it is the only platform cairn
 * supports.  Returns 0 when it cannot be read.
 */
static int self_path(char *exe, char *dir)
{
    if (realpath("/proc/self/exe", exe) == NULL)
        return 0;
    snprintf(dir, PATH_MAX, "%s", exe);
    char *slash = strrchr(dir, '/');
    if (slash == NULL)
        return 0;
    *(slash == dir ? slash + 1 : slash) = '\0';
    return 1;
}

/* A project name becomes a file name and a make variable: keep it plain. */
static int valid_name(const char *s)
{
    if (*s == '\0' || *s == '.' || *s == '-')
        return 0;
    for (; *s; s++)
        if (!((*s >= 'a' && *s <= 'z') || (*s >= 'A' && *s <= 'Z') || (*s >= '0' && *s <= '9') ||
              *s == '_' || *s == '-' || *s == '.'))
            return 0;
    return 1;
}

static const char main_c[] =
    "/*\n"
    " * main.c - the %s guest.  It reads its input (private to the prover)\n"
    " * and prints a greeting (the public output); main's return value is the\n"
    " * exit code.  printf is picolibc's; cairn_guest.h has the SDK's own calls.\n"
    " */\n"
    "#include <stdio.h>\n"
    "\n"
    "#include \"cairn_guest.h\"\n"
    "\n"
    "int main(void)\n"
    "{\n"
    "    char name[64];\n"
    "    size_t n = cairn_read_all(name, sizeof name - 1);\n"
    "    while (n > 0 && (name[n - 1] == '\\n' || name[n - 1] == '\\r'))\n"
    "        n--;\n"
    "    name[n] = '\\0';\n"
    "    printf(\"hello, %%s!\\n\", n > 0 ? name : \"world\");\n"
    "    return 0;\n"
    "}\n";

static const char makefile[] =
    "# Makefile for the cairn guest %s (written by `cairn new`).\n"
    "#   make          build build/$(ISA)/%s.elf\n"
    "#   make run      run it in the cairn VM on $(INPUT)\n"
    "#   make prove    prove that run (%s.proof) and verify the proof\n"
    "#   make clean    remove build/ and the proof\n"
    "# ISA=rv32im builds with the M extension (runs and proves).\n"
    "\n"
    "NAME := %s\n"
    "ISA ?= %s\n"
    "INPUT ?= input.txt\n"
    "CAIRN ?= %s\n"
    "CAIRN_SDK ?= %s\n"
    "GUEST_CC ?= riscv64-unknown-elf-gcc\n"
    "PICOLIBC ?= /usr/lib/picolibc/riscv64-unknown-elf\n"
    "CFLAGS ?= -O2 -g -Wall -Wextra\n"
    "SRC := main.c\n"
    "\n"
    "ELF := build/$(ISA)/$(NAME).elf\n"
    "SDK_SRC := $(CAIRN_SDK)/crt0.S $(CAIRN_SDK)/cairn_guest.c\n"
    "\n"
    "$(ELF): $(SRC) $(SDK_SRC) $(CAIRN_SDK)/cairn_guest.h $(CAIRN_SDK)/cairn.ld\n"
    "\t@mkdir -p $(@D)\n"
    "\t$(GUEST_CC) -march=$(ISA) -mabi=ilp32 $(CFLAGS) -static -nostdlib \\\n"
    "\t    -ffunction-sections -fdata-sections -ftls-model=local-exec \\\n"
    "\t    -isystem $(PICOLIBC)/include -I$(CAIRN_SDK) -T $(CAIRN_SDK)/cairn.ld \\\n"
    "\t    -o $@ $(SDK_SRC) $(SRC) -L$(PICOLIBC)/lib/$(ISA)/ilp32 \\\n"
    "\t    -Wl,--gc-sections -Wl,--start-group -lc -lgcc -Wl,--end-group\n"
    "\n"
    "run: $(ELF)\n"
    "\t$(CAIRN) run $(ELF) --input $(INPUT)\n"
    "\n"
    "prove: $(ELF)\n"
    "\t$(CAIRN) prove $(ELF) --input $(INPUT) -o $(NAME).proof\n"
    "\t$(CAIRN) verify $(NAME).proof --program $(ELF)\n"
    "\n"
    "clean:\n"
    "\trm -rf build $(NAME).proof\n"
    "\n"
    ".PHONY: run prove clean\n";

static const char readme[] =
    "# %s\n"
    "\n"
    "A guest program for cairn, a zkVM for RISC-V: `main.c` reads its input\n"
    "(private to the prover) and prints a greeting (the public output).\n"
    "\n"
    "```sh\n"
    "make              # build build/%s/%s.elf with the cairn guest SDK\n"
    "make run          # cairn run build/%s/%s.elf --input input.txt\n"
    "make prove        # prove the run into %s.proof, then verify it\n"
    "```\n"
    "\n"
    "`make prove` runs\n"
    "\n"
    "```sh\n"
    "cairn prove build/%s/%s.elf --input input.txt -o %s.proof\n"
    "cairn verify %s.proof --program build/%s/%s.elf\n"
    "```\n"
    "\n"
    "and `cairn verify` prints the output as proven. Anyone with the ELF and\n"
    "the proof can run that last command; the input is not needed.\n"
    "\n"
    "Build for another ISA with `make ISA=rv32im` (provable too). The Makefile names the SDK and the cairn program it was created\n"
    "with (`CAIRN_SDK`, `CAIRN`); override them on the command line. See\n"
    "`man cairn` and the guide to guests in cairn's docs/guests.md.\n";

static const char gitignore[] = "build/\n*.proof\n";
static const char input_txt[] = "cairn\n";

/* The files of a project, in the order they are written (and removed on failure). */
enum { F_MAIN, F_MAKEFILE, F_README, F_INPUT, F_GITIGNORE, F_COUNT };
static const char *const file_names[F_COUNT] = {"main.c", "Makefile", "README.md", "input.txt",
                                                ".gitignore"};

/*
 * Write one file of the project; prints the error and returns 0 on
 * failure.  The text is already formatted.
 */
static int write_text(const char *dir, const char *file, const char *text)
{
    char path[PATH_MAX];
    int n = snprintf(path, sizeof path, "%s/%s", dir, file);
    if (n < 0 || (size_t)n >= sizeof path) {
        cli_error("%s/%s: path too long", dir, file);
        return 0;
    }
    FILE *f = fopen(path, "wx");
    if (f == NULL) {
        cli_error("%s: %s", path, strerror(errno));
        return 0;
    }
    size_t len = strlen(text);
    int ok = fwrite(text, 1, len, f) == len;
    if (fclose(f) != 0)
        ok = 0;
    if (!ok)
        cli_error("%s: write failed", path);
    return ok;
}

/* Remove the first `count` project files and the directory (after a failure). */
static void remove_project(const char *dir, int count)
{
    char path[PATH_MAX];
    for (int i = 0; i < count; i++) {
        int n = snprintf(path, sizeof path, "%s/%s", dir, file_names[i]);
        if (n >= 0 && (size_t)n < sizeof path)
            unlink(path);
    }
    rmdir(dir);
}

/*
 * Find the SDK (--sdk, $CAIRN_SDK, then beside this program) into sdk and
 * this program's path into exe (both PATH_MAX bytes).  Prints the error
 * and returns the exit status on failure.
 */
static int locate(char *sdk, char *exe, const char *sdk_opt)
{
    char dir[PATH_MAX];
    if (!self_path(exe, dir)) {
        cli_error("cannot find this program's own path (/proc/self/exe)");
        return CLI_EXIT_IO;
    }
    const char *given = sdk_opt != NULL ? sdk_opt : getenv("CAIRN_SDK");
    if (given != NULL && given[0] != '\0') {
        if (try_sdk(sdk, NULL, given))
            return CLI_EXIT_OK;
        cli_error("%s%s: not a guest SDK (it needs crt0.S, cairn.ld, cairn_guest.h and "
                  "cairn_guest.c)",
                  sdk_opt != NULL ? "--sdk " : "CAIRN_SDK=", given);
        return CLI_EXIT_IO;
    }
    if (try_sdk(sdk, dir, "../share/cairn/sdk") || try_sdk(sdk, dir, "../../guest/sdk"))
        return CLI_EXIT_OK;
    cli_error("cannot find the guest SDK (looked in %s/../share/cairn/sdk and %s/../../guest/sdk): "
              "install cairn with `make install`, or pass --sdk DIR",
              dir, dir);
    return CLI_EXIT_IO;
}

/*
 * Parse the command line, find the SDK, create the directory and write
 * the files; on any failure remove what was written.  The file texts are
 * formatted into one buffer each, sized by a first snprintf.
 */
int cmd_new(int argc, char **argv)
{
    const char *path = NULL, *isa = "rv32i", *sdk_opt = NULL;
    for (int i = 1; i < argc; i++) {
        const char *a = argv[i];
        if (cli_is_help(a)) {
            cmd_new_help(stdout);
            return CLI_EXIT_OK;
        } else if (strcmp(a, "--isa") == 0 || strcmp(a, "--sdk") == 0) {
            if (i + 1 >= argc)
                return cli_usage_error("new", "option '%s' needs a value", a);
            const char *v = argv[++i];
            if (strcmp(a, "--sdk") == 0)
                sdk_opt = v;
            else if (strcmp(v, "rv32i") == 0 || strcmp(v, "rv32im") == 0)
                isa = v;
            else
                return cli_usage_error("new", "--isa '%s': expected rv32i or rv32im", v);
        } else if (a[0] == '-' && a[1] != '\0') {
            return cli_usage_error("new", "unknown option '%s'", a);
        } else if (path == NULL) {
            path = a;
        } else {
            return cli_usage_error("new", "unexpected argument '%s'", a);
        }
    }
    if (path == NULL)
        return cli_usage_error("new", "missing NAME");
    const char *slash = strrchr(path, '/');
    const char *name = slash != NULL ? slash + 1 : path;
    if (!valid_name(name))
        return cli_usage_error("new",
                               "'%s': a project name is letters, digits, '-', '_' and '.', "
                               "starting with a letter, digit or '_'",
                               name);

    char sdk[PATH_MAX], exe[PATH_MAX];
    int rc = locate(sdk, exe, sdk_opt);
    if (rc != CLI_EXIT_OK)
        return rc;
    struct stat sb;
    if (stat(path, &sb) == 0) {
        cli_error("%s: already exists", path);
        return CLI_EXIT_IO;
    }
    if (mkdir(path, 0777) != 0) {
        cli_error("%s: %s", path, strerror(errno));
        return CLI_EXIT_IO;
    }

    char *text[F_COUNT] = {NULL};
    int written = 0;
    rc = CLI_EXIT_OK;
    for (int f = 0; f < F_COUNT && rc == CLI_EXIT_OK; f++) {
        int n = 0;
        for (int pass = 0; pass < 2; pass++) {
            char *buf = pass ? text[f] : NULL;
            size_t cap = pass ? (size_t)n + 1 : 0;
            switch (f) {
            case F_MAIN: n = snprintf(buf, cap, main_c, name); break;
            case F_MAKEFILE:
                n = snprintf(buf, cap, makefile, name, name, name, name, isa, exe, sdk);
                break;
            case F_README:
                n = snprintf(buf, cap, readme, name, isa, name, isa, name, name, isa, name, name,
                             name, isa, name);
                break;
            case F_INPUT: n = snprintf(buf, cap, "%s", input_txt); break;
            default: n = snprintf(buf, cap, "%s", gitignore); break;
            }
            if (n < 0) {
                cli_error("internal: cannot format %s", file_names[f]);
                rc = CLI_EXIT_INTERNAL;
                break;
            }
            if (!pass && (text[f] = malloc((size_t)n + 1)) == NULL) {
                cli_error("out of memory");
                rc = CLI_EXIT_LIMIT;
                break;
            }
        }
        if (rc == CLI_EXIT_OK) {
            if (!write_text(path, file_names[f], text[f]))
                rc = CLI_EXIT_IO;
            else
                written++;
        }
    }
    for (int f = 0; f < F_COUNT; f++)
        free(text[f]);
    if (rc != CLI_EXIT_OK) {
        remove_project(path, written + 1);
        return rc;
    }
    printf("created %s/ (main.c, Makefile, README.md, input.txt) for %s with the SDK in %s\n"
           "next: cd %s && make prove\n",
           path, isa, sdk, path);
    return CLI_EXIT_OK;
}
