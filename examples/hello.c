/* The smallest WASI program: build with
 *   clang --target=wasm32-wasi -O2 hello.c -o hello.wasm
 * and run with `wrun hello.wasm`. */
#include <stdio.h>

int main(void) {
  printf("Hello, WebAssembly!\n");
  return 0;
}
