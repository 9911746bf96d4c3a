/* `wrun compile`: a module compiled ahead of time into a .cwasm file. */
#ifndef CLI_COMPILE_CMD_H
#define CLI_COMPILE_CMD_H

/* argv after "compile"; returns the exit status. */
int compile_main(int argc, char **argv);

#endif
