/* `wrun objdump`: the machine code compiled for a module, disassembled. */
#ifndef CLI_OBJDUMP_CMD_H
#define CLI_OBJDUMP_CMD_H

/* argv after "objdump"; returns the exit status. */
int objdump_main(int argc, char **argv);

#endif
