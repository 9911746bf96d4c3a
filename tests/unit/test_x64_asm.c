/* Encoder tests: each emitted form against the bytes GNU as produced for
 * the same instruction (Intel syntax in the comments; regenerated with
 * `as --64` + objcopy, and the lea_disp32 / branch forms checked with
 * `objdump -d`). Covers REX.R/X/B for r8-r15, rsp/r12 bases (SIB), rbp/r13
 * bases (forced displacement), disp8 vs disp32, imm8 vs imm32, byte
 * registers needing an empty REX (sil, dil), SSE prefixes. */
#include <criterion/criterion.h>
#include <stdio.h>
#include <string.h>

#include "x64/asm.h"

static void check_bytes(jit_buf *b, const uint8_t *want, size_t n,
                        const char *what) {
  char got[128] = "", exp[128] = "";
  for (uint32_t i = 0; i < b->size && i < 40; i++)
    snprintf(got + strlen(got), sizeof got - strlen(got), "%02x ", b->data[i]);
  for (size_t i = 0; i < n && i < 40; i++)
    snprintf(exp + strlen(exp), sizeof exp - strlen(exp), "%02x ", want[i]);
  cr_expect(b->size == n && memcmp(b->data, want, n) == 0,
            "%s:\n  got  %s\n  want %s", what, got, exp);
}

/* Runs one encoder call on a fresh buffer and compares the bytes. */
#define CHECK(call, ...)                                  \
  do {                                                    \
    memset(&b, 0, sizeof b);                              \
    call;                                                 \
    static const uint8_t want_[] = {__VA_ARGS__};         \
    check_bytes(&b, want_, sizeof want_, #call);          \
    jit_buf_free(&b);                                     \
  } while (0)

Test(x64_asm, generated_forms_1) {
  jit_buf b;
  CHECK(x64_alu_rr(&b, X64_ADD, true, X64_RAX, X64_RCX), /* add rax, rcx */
        0x48, 0x01, 0xc8);
  CHECK(x64_alu_rr(&b, X64_ADD, false, X64_R9, X64_RBX), /* add r9d, ebx */
        0x41, 0x01, 0xd9);
  CHECK(x64_alu_rr(&b, X64_ADD, true, X64_RSI, X64_R13), /* add rsi, r13 */
        0x4c, 0x01, 0xee);
  CHECK(x64_alu_ri(&b, X64_ADD, true, X64_R12, 5), /* add r12, 5 */
        0x49, 0x83, 0xc4, 0x05);
  CHECK(x64_alu_ri(&b, X64_ADD, false, X64_RDI, 1000), /* add edi, 1000 */
        0x81, 0xc7, 0xe8, 0x03, 0x00, 0x00);
  CHECK(x64_alu_ri(&b, X64_ADD, true, X64_RDX, -129), /* add rdx, -129 */
        0x48, 0x81, 0xc2, 0x7f, 0xff, 0xff, 0xff);
  CHECK(x64_alu_rr(&b, X64_SUB, true, X64_RAX, X64_RCX), /* sub rax, rcx */
        0x48, 0x29, 0xc8);
  CHECK(x64_alu_rr(&b, X64_SUB, false, X64_R9, X64_RBX), /* sub r9d, ebx */
        0x41, 0x29, 0xd9);
  CHECK(x64_alu_rr(&b, X64_SUB, true, X64_RSI, X64_R13), /* sub rsi, r13 */
        0x4c, 0x29, 0xee);
  CHECK(x64_alu_ri(&b, X64_SUB, true, X64_R12, 5), /* sub r12, 5 */
        0x49, 0x83, 0xec, 0x05);
  CHECK(x64_alu_ri(&b, X64_SUB, false, X64_RDI, 1000), /* sub edi, 1000 */
        0x81, 0xef, 0xe8, 0x03, 0x00, 0x00);
  CHECK(x64_alu_ri(&b, X64_SUB, true, X64_RDX, -129), /* sub rdx, -129 */
        0x48, 0x81, 0xea, 0x7f, 0xff, 0xff, 0xff);
  CHECK(x64_alu_rr(&b, X64_AND, true, X64_RAX, X64_RCX), /* and rax, rcx */
        0x48, 0x21, 0xc8);
  CHECK(x64_alu_rr(&b, X64_AND, false, X64_R9, X64_RBX), /* and r9d, ebx */
        0x41, 0x21, 0xd9);
  CHECK(x64_alu_rr(&b, X64_AND, true, X64_RSI, X64_R13), /* and rsi, r13 */
        0x4c, 0x21, 0xee);
  CHECK(x64_alu_ri(&b, X64_AND, true, X64_R12, 5), /* and r12, 5 */
        0x49, 0x83, 0xe4, 0x05);
  CHECK(x64_alu_ri(&b, X64_AND, false, X64_RDI, 1000), /* and edi, 1000 */
        0x81, 0xe7, 0xe8, 0x03, 0x00, 0x00);
  CHECK(x64_alu_ri(&b, X64_AND, true, X64_RDX, -129), /* and rdx, -129 */
        0x48, 0x81, 0xe2, 0x7f, 0xff, 0xff, 0xff);
  CHECK(x64_alu_rr(&b, X64_OR, true, X64_RAX, X64_RCX), /* or rax, rcx */
        0x48, 0x09, 0xc8);
  CHECK(x64_alu_rr(&b, X64_OR, false, X64_R9, X64_RBX), /* or r9d, ebx */
        0x41, 0x09, 0xd9);
  CHECK(x64_alu_rr(&b, X64_OR, true, X64_RSI, X64_R13), /* or rsi, r13 */
        0x4c, 0x09, 0xee);
  CHECK(x64_alu_ri(&b, X64_OR, true, X64_R12, 5), /* or r12, 5 */
        0x49, 0x83, 0xcc, 0x05);
  CHECK(x64_alu_ri(&b, X64_OR, false, X64_RDI, 1000), /* or edi, 1000 */
        0x81, 0xcf, 0xe8, 0x03, 0x00, 0x00);
  CHECK(x64_alu_ri(&b, X64_OR, true, X64_RDX, -129), /* or rdx, -129 */
        0x48, 0x81, 0xca, 0x7f, 0xff, 0xff, 0xff);
  CHECK(x64_alu_rr(&b, X64_XOR, true, X64_RAX, X64_RCX), /* xor rax, rcx */
        0x48, 0x31, 0xc8);
  CHECK(x64_alu_rr(&b, X64_XOR, false, X64_R9, X64_RBX), /* xor r9d, ebx */
        0x41, 0x31, 0xd9);
  CHECK(x64_alu_rr(&b, X64_XOR, true, X64_RSI, X64_R13), /* xor rsi, r13 */
        0x4c, 0x31, 0xee);
  CHECK(x64_alu_ri(&b, X64_XOR, true, X64_R12, 5), /* xor r12, 5 */
        0x49, 0x83, 0xf4, 0x05);
  CHECK(x64_alu_ri(&b, X64_XOR, false, X64_RDI, 1000), /* xor edi, 1000 */
        0x81, 0xf7, 0xe8, 0x03, 0x00, 0x00);
  CHECK(x64_alu_ri(&b, X64_XOR, true, X64_RDX, -129), /* xor rdx, -129 */
        0x48, 0x81, 0xf2, 0x7f, 0xff, 0xff, 0xff);
  CHECK(x64_alu_rr(&b, X64_CMP, true, X64_RAX, X64_RCX), /* cmp rax, rcx */
        0x48, 0x39, 0xc8);
  CHECK(x64_alu_rr(&b, X64_CMP, false, X64_R9, X64_RBX), /* cmp r9d, ebx */
        0x41, 0x39, 0xd9);
  CHECK(x64_alu_rr(&b, X64_CMP, true, X64_RSI, X64_R13), /* cmp rsi, r13 */
        0x4c, 0x39, 0xee);
  CHECK(x64_alu_ri(&b, X64_CMP, true, X64_R12, 5), /* cmp r12, 5 */
        0x49, 0x83, 0xfc, 0x05);
  CHECK(x64_alu_ri(&b, X64_CMP, false, X64_RDI, 1000), /* cmp edi, 1000 */
        0x81, 0xff, 0xe8, 0x03, 0x00, 0x00);
  CHECK(x64_alu_ri(&b, X64_CMP, true, X64_RDX, -129), /* cmp rdx, -129 */
        0x48, 0x81, 0xfa, 0x7f, 0xff, 0xff, 0xff);
  CHECK(x64_alu_ri(&b, X64_CMP, false, X64_R10, -128), /* cmp r10d, -128 */
        0x41, 0x83, 0xfa, 0x80);
  CHECK(x64_alu_ri(&b, X64_CMP, false, X64_R10, 128), /* cmp r10d, 128 */
        0x41, 0x81, 0xfa, 0x80, 0x00, 0x00, 0x00);
  CHECK(x64_mov_rm(&b, true, X64_RAX, x64_mem_bd(X64_RAX, 0)), /* mov rax, qword ptr [rax] */
        0x48, 0x8b, 0x00);
  CHECK(x64_mov_rm(&b, true, X64_RAX, x64_mem_bd(X64_RAX, 8)), /* mov rax, qword ptr [rax+8] */
        0x48, 0x8b, 0x40, 0x08);
  CHECK(x64_mov_rm(&b, true, X64_RAX, x64_mem_bd(X64_RAX, -8)), /* mov rax, qword ptr [rax-8] */
        0x48, 0x8b, 0x40, 0xf8);
  CHECK(x64_mov_rm(&b, true, X64_RAX, x64_mem_bd(X64_RAX, 127)), /* mov rax, qword ptr [rax+127] */
        0x48, 0x8b, 0x40, 0x7f);
  CHECK(x64_mov_rm(&b, true, X64_RAX, x64_mem_bd(X64_RAX, 128)), /* mov rax, qword ptr [rax+128] */
        0x48, 0x8b, 0x80, 0x80, 0x00, 0x00, 0x00);
  CHECK(x64_mov_rm(&b, true, X64_RAX, x64_mem_bd(X64_RAX, -129)), /* mov rax, qword ptr [rax-129] */
        0x48, 0x8b, 0x80, 0x7f, 0xff, 0xff, 0xff);
  CHECK(x64_mov_rm(&b, true, X64_RAX, x64_mem_bd(X64_RAX, 74565)), /* mov rax, qword ptr [rax+74565] */
        0x48, 0x8b, 0x80, 0x45, 0x23, 0x01, 0x00);
  CHECK(x64_mov_mr(&b, false, x64_mem_bd(X64_RAX, 16), X64_R11), /* mov dword ptr [rax+16], r11d */
        0x44, 0x89, 0x58, 0x10);
  CHECK(x64_mov_rm(&b, true, X64_RAX, x64_mem_bd(X64_RBX, 0)), /* mov rax, qword ptr [rbx] */
        0x48, 0x8b, 0x03);
  CHECK(x64_mov_rm(&b, true, X64_RAX, x64_mem_bd(X64_RBX, 8)), /* mov rax, qword ptr [rbx+8] */
        0x48, 0x8b, 0x43, 0x08);
  CHECK(x64_mov_rm(&b, true, X64_RAX, x64_mem_bd(X64_RBX, -8)), /* mov rax, qword ptr [rbx-8] */
        0x48, 0x8b, 0x43, 0xf8);
  CHECK(x64_mov_rm(&b, true, X64_RAX, x64_mem_bd(X64_RBX, 127)), /* mov rax, qword ptr [rbx+127] */
        0x48, 0x8b, 0x43, 0x7f);
}

Test(x64_asm, generated_forms_2) {
  jit_buf b;
  CHECK(x64_mov_rm(&b, true, X64_RAX, x64_mem_bd(X64_RBX, 128)), /* mov rax, qword ptr [rbx+128] */
        0x48, 0x8b, 0x83, 0x80, 0x00, 0x00, 0x00);
  CHECK(x64_mov_rm(&b, true, X64_RAX, x64_mem_bd(X64_RBX, -129)), /* mov rax, qword ptr [rbx-129] */
        0x48, 0x8b, 0x83, 0x7f, 0xff, 0xff, 0xff);
  CHECK(x64_mov_rm(&b, true, X64_RAX, x64_mem_bd(X64_RBX, 74565)), /* mov rax, qword ptr [rbx+74565] */
        0x48, 0x8b, 0x83, 0x45, 0x23, 0x01, 0x00);
  CHECK(x64_mov_mr(&b, false, x64_mem_bd(X64_RBX, 16), X64_R11), /* mov dword ptr [rbx+16], r11d */
        0x44, 0x89, 0x5b, 0x10);
  CHECK(x64_mov_rm(&b, true, X64_RAX, x64_mem_bd(X64_RSP, 0)), /* mov rax, qword ptr [rsp] */
        0x48, 0x8b, 0x04, 0x24);
  CHECK(x64_mov_rm(&b, true, X64_RAX, x64_mem_bd(X64_RSP, 8)), /* mov rax, qword ptr [rsp+8] */
        0x48, 0x8b, 0x44, 0x24, 0x08);
  CHECK(x64_mov_rm(&b, true, X64_RAX, x64_mem_bd(X64_RSP, -8)), /* mov rax, qword ptr [rsp-8] */
        0x48, 0x8b, 0x44, 0x24, 0xf8);
  CHECK(x64_mov_rm(&b, true, X64_RAX, x64_mem_bd(X64_RSP, 127)), /* mov rax, qword ptr [rsp+127] */
        0x48, 0x8b, 0x44, 0x24, 0x7f);
  CHECK(x64_mov_rm(&b, true, X64_RAX, x64_mem_bd(X64_RSP, 128)), /* mov rax, qword ptr [rsp+128] */
        0x48, 0x8b, 0x84, 0x24, 0x80, 0x00, 0x00, 0x00);
  CHECK(x64_mov_rm(&b, true, X64_RAX, x64_mem_bd(X64_RSP, -129)), /* mov rax, qword ptr [rsp-129] */
        0x48, 0x8b, 0x84, 0x24, 0x7f, 0xff, 0xff, 0xff);
  CHECK(x64_mov_rm(&b, true, X64_RAX, x64_mem_bd(X64_RSP, 74565)), /* mov rax, qword ptr [rsp+74565] */
        0x48, 0x8b, 0x84, 0x24, 0x45, 0x23, 0x01, 0x00);
  CHECK(x64_mov_mr(&b, false, x64_mem_bd(X64_RSP, 16), X64_R11), /* mov dword ptr [rsp+16], r11d */
        0x44, 0x89, 0x5c, 0x24, 0x10);
  CHECK(x64_mov_rm(&b, true, X64_RAX, x64_mem_bd(X64_RBP, 0)), /* mov rax, qword ptr [rbp] */
        0x48, 0x8b, 0x45, 0x00);
  CHECK(x64_mov_rm(&b, true, X64_RAX, x64_mem_bd(X64_RBP, 8)), /* mov rax, qword ptr [rbp+8] */
        0x48, 0x8b, 0x45, 0x08);
  CHECK(x64_mov_rm(&b, true, X64_RAX, x64_mem_bd(X64_RBP, -8)), /* mov rax, qword ptr [rbp-8] */
        0x48, 0x8b, 0x45, 0xf8);
  CHECK(x64_mov_rm(&b, true, X64_RAX, x64_mem_bd(X64_RBP, 127)), /* mov rax, qword ptr [rbp+127] */
        0x48, 0x8b, 0x45, 0x7f);
  CHECK(x64_mov_rm(&b, true, X64_RAX, x64_mem_bd(X64_RBP, 128)), /* mov rax, qword ptr [rbp+128] */
        0x48, 0x8b, 0x85, 0x80, 0x00, 0x00, 0x00);
  CHECK(x64_mov_rm(&b, true, X64_RAX, x64_mem_bd(X64_RBP, -129)), /* mov rax, qword ptr [rbp-129] */
        0x48, 0x8b, 0x85, 0x7f, 0xff, 0xff, 0xff);
  CHECK(x64_mov_rm(&b, true, X64_RAX, x64_mem_bd(X64_RBP, 74565)), /* mov rax, qword ptr [rbp+74565] */
        0x48, 0x8b, 0x85, 0x45, 0x23, 0x01, 0x00);
  CHECK(x64_mov_mr(&b, false, x64_mem_bd(X64_RBP, 16), X64_R11), /* mov dword ptr [rbp+16], r11d */
        0x44, 0x89, 0x5d, 0x10);
  CHECK(x64_mov_rm(&b, true, X64_RAX, x64_mem_bd(X64_R12, 0)), /* mov rax, qword ptr [r12] */
        0x49, 0x8b, 0x04, 0x24);
  CHECK(x64_mov_rm(&b, true, X64_RAX, x64_mem_bd(X64_R12, 8)), /* mov rax, qword ptr [r12+8] */
        0x49, 0x8b, 0x44, 0x24, 0x08);
  CHECK(x64_mov_rm(&b, true, X64_RAX, x64_mem_bd(X64_R12, -8)), /* mov rax, qword ptr [r12-8] */
        0x49, 0x8b, 0x44, 0x24, 0xf8);
  CHECK(x64_mov_rm(&b, true, X64_RAX, x64_mem_bd(X64_R12, 127)), /* mov rax, qword ptr [r12+127] */
        0x49, 0x8b, 0x44, 0x24, 0x7f);
  CHECK(x64_mov_rm(&b, true, X64_RAX, x64_mem_bd(X64_R12, 128)), /* mov rax, qword ptr [r12+128] */
        0x49, 0x8b, 0x84, 0x24, 0x80, 0x00, 0x00, 0x00);
  CHECK(x64_mov_rm(&b, true, X64_RAX, x64_mem_bd(X64_R12, -129)), /* mov rax, qword ptr [r12-129] */
        0x49, 0x8b, 0x84, 0x24, 0x7f, 0xff, 0xff, 0xff);
  CHECK(x64_mov_rm(&b, true, X64_RAX, x64_mem_bd(X64_R12, 74565)), /* mov rax, qword ptr [r12+74565] */
        0x49, 0x8b, 0x84, 0x24, 0x45, 0x23, 0x01, 0x00);
  CHECK(x64_mov_mr(&b, false, x64_mem_bd(X64_R12, 16), X64_R11), /* mov dword ptr [r12+16], r11d */
        0x45, 0x89, 0x5c, 0x24, 0x10);
  CHECK(x64_mov_rm(&b, true, X64_RAX, x64_mem_bd(X64_R13, 0)), /* mov rax, qword ptr [r13] */
        0x49, 0x8b, 0x45, 0x00);
  CHECK(x64_mov_rm(&b, true, X64_RAX, x64_mem_bd(X64_R13, 8)), /* mov rax, qword ptr [r13+8] */
        0x49, 0x8b, 0x45, 0x08);
  CHECK(x64_mov_rm(&b, true, X64_RAX, x64_mem_bd(X64_R13, -8)), /* mov rax, qword ptr [r13-8] */
        0x49, 0x8b, 0x45, 0xf8);
  CHECK(x64_mov_rm(&b, true, X64_RAX, x64_mem_bd(X64_R13, 127)), /* mov rax, qword ptr [r13+127] */
        0x49, 0x8b, 0x45, 0x7f);
  CHECK(x64_mov_rm(&b, true, X64_RAX, x64_mem_bd(X64_R13, 128)), /* mov rax, qword ptr [r13+128] */
        0x49, 0x8b, 0x85, 0x80, 0x00, 0x00, 0x00);
  CHECK(x64_mov_rm(&b, true, X64_RAX, x64_mem_bd(X64_R13, -129)), /* mov rax, qword ptr [r13-129] */
        0x49, 0x8b, 0x85, 0x7f, 0xff, 0xff, 0xff);
  CHECK(x64_mov_rm(&b, true, X64_RAX, x64_mem_bd(X64_R13, 74565)), /* mov rax, qword ptr [r13+74565] */
        0x49, 0x8b, 0x85, 0x45, 0x23, 0x01, 0x00);
  CHECK(x64_mov_mr(&b, false, x64_mem_bd(X64_R13, 16), X64_R11), /* mov dword ptr [r13+16], r11d */
        0x45, 0x89, 0x5d, 0x10);
  CHECK(x64_mov_rm(&b, true, X64_RAX, x64_mem_bd(X64_R15, 0)), /* mov rax, qword ptr [r15] */
        0x49, 0x8b, 0x07);
  CHECK(x64_mov_rm(&b, true, X64_RAX, x64_mem_bd(X64_R15, 8)), /* mov rax, qword ptr [r15+8] */
        0x49, 0x8b, 0x47, 0x08);
  CHECK(x64_mov_rm(&b, true, X64_RAX, x64_mem_bd(X64_R15, -8)), /* mov rax, qword ptr [r15-8] */
        0x49, 0x8b, 0x47, 0xf8);
  CHECK(x64_mov_rm(&b, true, X64_RAX, x64_mem_bd(X64_R15, 127)), /* mov rax, qword ptr [r15+127] */
        0x49, 0x8b, 0x47, 0x7f);
  CHECK(x64_mov_rm(&b, true, X64_RAX, x64_mem_bd(X64_R15, 128)), /* mov rax, qword ptr [r15+128] */
        0x49, 0x8b, 0x87, 0x80, 0x00, 0x00, 0x00);
  CHECK(x64_mov_rm(&b, true, X64_RAX, x64_mem_bd(X64_R15, -129)), /* mov rax, qword ptr [r15-129] */
        0x49, 0x8b, 0x87, 0x7f, 0xff, 0xff, 0xff);
  CHECK(x64_mov_rm(&b, true, X64_RAX, x64_mem_bd(X64_R15, 74565)), /* mov rax, qword ptr [r15+74565] */
        0x49, 0x8b, 0x87, 0x45, 0x23, 0x01, 0x00);
  CHECK(x64_mov_mr(&b, false, x64_mem_bd(X64_R15, 16), X64_R11), /* mov dword ptr [r15+16], r11d */
        0x45, 0x89, 0x5f, 0x10);
  CHECK(x64_mov_rm(&b, true, X64_RAX, x64_mem_bd(X64_R8, 0)), /* mov rax, qword ptr [r8] */
        0x49, 0x8b, 0x00);
  CHECK(x64_mov_rm(&b, true, X64_RAX, x64_mem_bd(X64_R8, 8)), /* mov rax, qword ptr [r8+8] */
        0x49, 0x8b, 0x40, 0x08);
  CHECK(x64_mov_rm(&b, true, X64_RAX, x64_mem_bd(X64_R8, -8)), /* mov rax, qword ptr [r8-8] */
        0x49, 0x8b, 0x40, 0xf8);
  CHECK(x64_mov_rm(&b, true, X64_RAX, x64_mem_bd(X64_R8, 127)), /* mov rax, qword ptr [r8+127] */
        0x49, 0x8b, 0x40, 0x7f);
  CHECK(x64_mov_rm(&b, true, X64_RAX, x64_mem_bd(X64_R8, 128)), /* mov rax, qword ptr [r8+128] */
        0x49, 0x8b, 0x80, 0x80, 0x00, 0x00, 0x00);
  CHECK(x64_mov_rm(&b, true, X64_RAX, x64_mem_bd(X64_R8, -129)), /* mov rax, qword ptr [r8-129] */
        0x49, 0x8b, 0x80, 0x7f, 0xff, 0xff, 0xff);
}

Test(x64_asm, generated_forms_3) {
  jit_buf b;
  CHECK(x64_mov_rm(&b, true, X64_RAX, x64_mem_bd(X64_R8, 74565)), /* mov rax, qword ptr [r8+74565] */
        0x49, 0x8b, 0x80, 0x45, 0x23, 0x01, 0x00);
  CHECK(x64_mov_mr(&b, false, x64_mem_bd(X64_R8, 16), X64_R11), /* mov dword ptr [r8+16], r11d */
        0x45, 0x89, 0x58, 0x10);
  CHECK(x64_mov_rm(&b, false, X64_RDX, x64_mem_bisd(X64_R15, X64_RAX, 0, 0)), /* mov edx, dword ptr [r15+rax*1] */
        0x41, 0x8b, 0x14, 0x07);
  CHECK(x64_lea(&b, true, X64_R10, x64_mem_bisd(X64_R15, X64_RAX, 0, 0)), /* lea r10, [r15+rax*1] */
        0x4d, 0x8d, 0x14, 0x07);
  CHECK(x64_mov_rm(&b, false, X64_RDX, x64_mem_bisd(X64_R15, X64_R13, 0, 16)), /* mov edx, dword ptr [r15+r13*1+16] */
        0x43, 0x8b, 0x54, 0x2f, 0x10);
  CHECK(x64_lea(&b, true, X64_R10, x64_mem_bisd(X64_R15, X64_R13, 0, 16)), /* lea r10, [r15+r13*1+16] */
        0x4f, 0x8d, 0x54, 0x2f, 0x10);
  CHECK(x64_mov_rm(&b, false, X64_RDX, x64_mem_bisd(X64_RBP, X64_R12, 3, 0)), /* mov edx, dword ptr [rbp+r12*8] */
        0x42, 0x8b, 0x54, 0xe5, 0x00);
  CHECK(x64_lea(&b, true, X64_R10, x64_mem_bisd(X64_RBP, X64_R12, 3, 0)), /* lea r10, [rbp+r12*8] */
        0x4e, 0x8d, 0x54, 0xe5, 0x00);
  CHECK(x64_mov_rm(&b, false, X64_RDX, x64_mem_bisd(X64_R13, X64_RBP, 2, 0)), /* mov edx, dword ptr [r13+rbp*4] */
        0x41, 0x8b, 0x54, 0xad, 0x00);
  CHECK(x64_lea(&b, true, X64_R10, x64_mem_bisd(X64_R13, X64_RBP, 2, 0)), /* lea r10, [r13+rbp*4] */
        0x4d, 0x8d, 0x54, 0xad, 0x00);
  CHECK(x64_mov_rm(&b, false, X64_RDX, x64_mem_bisd(X64_RSP, X64_R9, 1, -8)), /* mov edx, dword ptr [rsp+r9*2-8] */
        0x42, 0x8b, 0x54, 0x4c, 0xf8);
  CHECK(x64_lea(&b, true, X64_R10, x64_mem_bisd(X64_RSP, X64_R9, 1, -8)), /* lea r10, [rsp+r9*2-8] */
        0x4e, 0x8d, 0x54, 0x4c, 0xf8);
  CHECK(x64_lea(&b, false, X64_R9, x64_mem_bisd(X64_NOREG, X64_R9, 2, 0x10400)), /* lea r9d, [r9*4+0x10400] */
        0x46, 0x8d, 0x0c, 0x8d, 0x00, 0x04, 0x01, 0x00);
  CHECK(x64_lea(&b, false, X64_RAX, x64_mem_bisd(X64_R13, X64_RCX, 3, 0)), /* lea eax, [r13+rcx*8] */
        0x41, 0x8d, 0x44, 0xcd, 0x00);
  CHECK(x64_mov_rm(&b, false, X64_RDX, x64_mem_bisd(X64_R12, X64_R12, 0, 300)), /* mov edx, dword ptr [r12+r12*1+300] */
        0x43, 0x8b, 0x94, 0x24, 0x2c, 0x01, 0x00, 0x00);
  CHECK(x64_lea(&b, true, X64_R10, x64_mem_bisd(X64_R12, X64_R12, 0, 300)), /* lea r10, [r12+r12*1+300] */
        0x4f, 0x8d, 0x94, 0x24, 0x2c, 0x01, 0x00, 0x00);
  CHECK(x64_mov_rm(&b, false, X64_RDX, x64_mem_bisd(X64_RAX, X64_R8, 3, 4096)), /* mov edx, dword ptr [rax+r8*8+4096] */
        0x42, 0x8b, 0x94, 0xc0, 0x00, 0x10, 0x00, 0x00);
  CHECK(x64_lea(&b, true, X64_R10, x64_mem_bisd(X64_RAX, X64_R8, 3, 4096)), /* lea r10, [rax+r8*8+4096] */
        0x4e, 0x8d, 0x94, 0xc0, 0x00, 0x10, 0x00, 0x00);
  CHECK(x64_alu_rm(&b, X64_CMP, true, X64_R11, x64_mem_bd(X64_RDI, 16)), /* cmp r11, qword ptr [rdi+16] */
        0x4c, 0x3b, 0x5f, 0x10);
  CHECK(x64_alu_mr(&b, X64_ADD, false, x64_mem_bd(X64_RSP, 4), X64_R8), /* add dword ptr [rsp+4], r8d */
        0x44, 0x01, 0x44, 0x24, 0x04);
  CHECK(x64_alu_mi(&b, X64_CMP, true, x64_mem_bd(X64_RBP, -8), 7), /* cmp qword ptr [rbp-8], 7 */
        0x48, 0x83, 0x7d, 0xf8, 0x07);
  CHECK(x64_alu_mi(&b, X64_SUB, false, x64_mem_bd(X64_R13, 0), 70000), /* sub dword ptr [r13], 70000 */
        0x41, 0x81, 0x6d, 0x00, 0x70, 0x11, 0x01, 0x00);
  CHECK(x64_lea(&b, true, X64_R11, x64_mem_rip(0x100)), /* lea r11, [rip+0x100] */
        0x4c, 0x8d, 0x1d, 0x00, 0x01, 0x00, 0x00);
  CHECK(x64_lea_disp32(&b, true, X64_R11, x64_mem_bd(X64_RSP, -16)), /* lea r11, [rsp-16] */
        0x4c, 0x8d, 0x9c, 0x24, 0xf0, 0xff, 0xff, 0xff);
  CHECK(x64_test_rr(&b, true, X64_RAX, X64_R9), /* test rax, r9 */
        0x4c, 0x85, 0xc8);
  CHECK(x64_test_rr(&b, false, X64_RSI, X64_RSI), /* test esi, esi */
        0x85, 0xf6);
  CHECK(x64_test_ri(&b, false, X64_RBX, 0x100), /* test ebx, 0x100 */
        0xf7, 0xc3, 0x00, 0x01, 0x00, 0x00);
  CHECK(x64_imul_rr(&b, true, X64_R8, X64_RDI), /* imul r8, rdi */
        0x4c, 0x0f, 0xaf, 0xc7);
  CHECK(x64_imul_rr(&b, false, X64_RBX, X64_R13), /* imul ebx, r13d */
        0x41, 0x0f, 0xaf, 0xdd);
  CHECK(x64_imul_rri(&b, true, X64_RBX, X64_R12, 10), /* imul rbx, r12, 10 */
        0x49, 0x6b, 0xdc, 0x0a);
  CHECK(x64_imul_rri(&b, false, X64_R9, X64_RSI, 100000), /* imul r9d, esi, 100000 */
        0x44, 0x69, 0xce, 0xa0, 0x86, 0x01, 0x00);
  CHECK(x64_shift_cl(&b, X64_SHL, true, X64_R13), /* shl r13, cl */
        0x49, 0xd3, 0xe5);
  CHECK(x64_shift_ri(&b, X64_SHL, false, X64_RSI, 7), /* shl esi, 7 */
        0xc1, 0xe6, 0x07);
  CHECK(x64_shift_cl(&b, X64_SHR, true, X64_R13), /* shr r13, cl */
        0x49, 0xd3, 0xed);
  CHECK(x64_shift_ri(&b, X64_SHR, false, X64_RSI, 7), /* shr esi, 7 */
        0xc1, 0xee, 0x07);
  CHECK(x64_shift_cl(&b, X64_SAR, true, X64_R13), /* sar r13, cl */
        0x49, 0xd3, 0xfd);
  CHECK(x64_shift_ri(&b, X64_SAR, false, X64_RSI, 7), /* sar esi, 7 */
        0xc1, 0xfe, 0x07);
  CHECK(x64_shift_cl(&b, X64_ROL, true, X64_R13), /* rol r13, cl */
        0x49, 0xd3, 0xc5);
  CHECK(x64_shift_ri(&b, X64_ROL, false, X64_RSI, 7), /* rol esi, 7 */
        0xc1, 0xc6, 0x07);
  CHECK(x64_shift_cl(&b, X64_ROR, true, X64_R13), /* ror r13, cl */
        0x49, 0xd3, 0xcd);
  CHECK(x64_shift_ri(&b, X64_ROR, false, X64_RSI, 7), /* ror esi, 7 */
        0xc1, 0xce, 0x07);
  CHECK(x64_neg(&b, true, X64_R10), /* neg r10 */
        0x49, 0xf7, 0xda);
  CHECK(x64_not(&b, false, X64_RDI), /* not edi */
        0xf7, 0xd7);
  CHECK(x64_div(&b, true, X64_R9), /* div r9 */
        0x49, 0xf7, 0xf1);
  CHECK(x64_idiv(&b, false, X64_RBX), /* idiv ebx */
        0xf7, 0xfb);
  CHECK(x64_cdq(&b), /* cdq */
        0x99);
  CHECK(x64_cqo(&b), /* cqo */
        0x48, 0x99);
  CHECK(x64_bsr(&b, true, X64_R11, X64_RSI), /* bsr r11, rsi */
        0x4c, 0x0f, 0xbd, 0xde);
  CHECK(x64_bsf(&b, false, X64_R11, X64_R12), /* bsf r11d, r12d */
        0x45, 0x0f, 0xbc, 0xdc);
  CHECK(x64_lzcnt(&b, true, X64_RBX, X64_R8), /* lzcnt rbx, r8 */
        0xf3, 0x49, 0x0f, 0xbd, 0xd8);
  CHECK(x64_tzcnt(&b, false, X64_R13, X64_RDI), /* tzcnt r13d, edi */
        0xf3, 0x44, 0x0f, 0xbc, 0xef);
  CHECK(x64_popcnt(&b, true, X64_R12, X64_R12), /* popcnt r12, r12 */
        0xf3, 0x4d, 0x0f, 0xb8, 0xe4);
}

Test(x64_asm, generated_forms_4) {
  jit_buf b;
  CHECK(x64_popcnt(&b, false, X64_RAX, X64_RCX), /* popcnt eax, ecx */
        0xf3, 0x0f, 0xb8, 0xc1);
  CHECK(x64_setcc(&b, X64_CC_E, X64_RAX), /* sete al */
        0x0f, 0x94, 0xc0);
  CHECK(x64_setcc(&b, X64_CC_NE, X64_RAX), /* setne al */
        0x0f, 0x95, 0xc0);
  CHECK(x64_setcc(&b, X64_CC_L, X64_RAX), /* setl al */
        0x0f, 0x9c, 0xc0);
  CHECK(x64_setcc(&b, X64_CC_A, X64_RAX), /* seta al */
        0x0f, 0x97, 0xc0);
  CHECK(x64_setcc(&b, X64_CC_P, X64_RAX), /* setp al */
        0x0f, 0x9a, 0xc0);
  CHECK(x64_setcc(&b, X64_CC_NP, X64_RAX), /* setnp al */
        0x0f, 0x9b, 0xc0);
  CHECK(x64_setcc(&b, X64_CC_B, X64_RSI), /* setb sil */
        0x40, 0x0f, 0x92, 0xc6);
  CHECK(x64_setcc(&b, X64_CC_G, X64_R9), /* setg r9b */
        0x41, 0x0f, 0x9f, 0xc1);
  CHECK(x64_setcc(&b, X64_CC_BE, X64_RBX), /* setbe bl */
        0x0f, 0x96, 0xc3);
  CHECK(x64_cmovcc(&b, X64_CC_E, true, X64_R11, X64_RAX), /* cmove r11, rax */
        0x4c, 0x0f, 0x44, 0xd8);
  CHECK(x64_cmovcc(&b, X64_CC_GE, false, X64_RBX, X64_R13), /* cmovge ebx, r13d */
        0x41, 0x0f, 0x4d, 0xdd);
  CHECK(x64_mov_rr(&b, true, X64_RBP, X64_RSP), /* mov rbp, rsp */
        0x48, 0x89, 0xe5);
  CHECK(x64_mov_rr(&b, false, X64_R8, X64_R15), /* mov r8d, r15d */
        0x45, 0x89, 0xf8);
  CHECK(x64_mov_ri(&b, false, X64_RAX, 0xdeadbeef), /* mov eax, 0xdeadbeef */
        0xb8, 0xef, 0xbe, 0xad, 0xde);
  CHECK(x64_mov_ri(&b, true, X64_R9, 5), /* mov r9d, 5 */
        0x41, 0xb9, 0x05, 0x00, 0x00, 0x00);
  CHECK(x64_mov_ri(&b, true, X64_R11, 0xffffffffffffff80ull), /* mov r11, -128 */
        0x49, 0xc7, 0xc3, 0x80, 0xff, 0xff, 0xff);
  CHECK(x64_mov_ri(&b, true, X64_RCX, 0x123456789ull), /* movabs rcx, 0x123456789 */
        0x48, 0xb9, 0x89, 0x67, 0x45, 0x23, 0x01, 0x00, 0x00, 0x00);
  CHECK(x64_movabs(&b, X64_R12, 1), /* movabs r12, 1 */
        0x49, 0xbc, 0x01, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00);
  CHECK(x64_mov_mi(&b, true, x64_mem_bd(X64_RSP, 8), -1), /* mov qword ptr [rsp+8], -1 */
        0x48, 0xc7, 0x44, 0x24, 0x08, 0xff, 0xff, 0xff, 0xff);
  CHECK(x64_mov_mi(&b, false, x64_mem_bd(X64_RBP, -4), 0x1234), /* mov dword ptr [rbp-4], 0x1234 */
        0xc7, 0x45, 0xfc, 0x34, 0x12, 0x00, 0x00);
  CHECK(x64_mov8_mr(&b, x64_mem_bd(X64_R15, 0), X64_RSI), /* mov byte ptr [r15], sil */
        0x41, 0x88, 0x37);
  CHECK(x64_mov8_mr(&b, x64_mem_bisd(X64_R15, X64_RBX, 0, 3), X64_RBX), /* mov byte ptr [r15+rbx+3], bl */
        0x41, 0x88, 0x5c, 0x1f, 0x03);
  CHECK(x64_mov8_mr(&b, x64_mem_bd(X64_RAX, 0), X64_R10), /* mov byte ptr [rax], r10b */
        0x44, 0x88, 0x10);
  CHECK(x64_mov16_mr(&b, x64_mem_bd(X64_R15, 2), X64_RDI), /* mov word ptr [r15+2], di */
        0x66, 0x41, 0x89, 0x7f, 0x02);
  CHECK(x64_mov16_mr(&b, x64_mem_bd(X64_R15, 2), X64_R9), /* mov word ptr [r15+2], r9w */
        0x66, 0x45, 0x89, 0x4f, 0x02);
  CHECK(x64_mov8_mi(&b, x64_mem_bisd(X64_R15, X64_RDI, 0, 0), 1), /* mov byte ptr [r15+rdi], 1 */
        0x41, 0xc6, 0x04, 0x3f, 0x01);
  CHECK(x64_mov8_mi(&b, x64_mem_bd(X64_RBP, -1), 0xff), /* mov byte ptr [rbp-1], 0xff */
        0xc6, 0x45, 0xff, 0xff);
  CHECK(x64_mov16_mi(&b, x64_mem_bisd(X64_R15, X64_R9, 0, 2), 0x1234), /* mov word ptr [r15+r9+2], 0x1234 */
        0x66, 0x43, 0xc7, 0x44, 0x0f, 0x02, 0x34, 0x12);
  CHECK(x64_movzx8_rr(&b, X64_RBX, X64_RAX), /* movzx ebx, al */
        0x0f, 0xb6, 0xd8);
  CHECK(x64_movzx8_rr(&b, X64_R8, X64_RDI), /* movzx r8d, dil */
        0x44, 0x0f, 0xb6, 0xc7);
  CHECK(x64_movzx16_rr(&b, X64_RAX, X64_R13), /* movzx eax, r13w */
        0x41, 0x0f, 0xb7, 0xc5);
  CHECK(x64_movsx8_rr(&b, true, X64_RSI, X64_RSI), /* movsx rsi, sil */
        0x48, 0x0f, 0xbe, 0xf6);
  CHECK(x64_movsx8_rr(&b, false, X64_RAX, X64_RBX), /* movsx eax, bl */
        0x0f, 0xbe, 0xc3);
  CHECK(x64_movsx16_rr(&b, true, X64_R12, X64_RCX), /* movsx r12, cx */
        0x4c, 0x0f, 0xbf, 0xe1);
  CHECK(x64_movsxd_rr(&b, X64_RAX, X64_R9), /* movsxd rax, r9d */
        0x49, 0x63, 0xc1);
  CHECK(x64_movzx8_rm(&b, X64_RSI, x64_mem_bisd(X64_R15, X64_RDI, 0, 1)), /* movzx esi, byte ptr [r15+rdi+1] */
        0x41, 0x0f, 0xb6, 0x74, 0x3f, 0x01);
  CHECK(x64_movzx16_rm(&b, X64_R8, x64_mem_bd(X64_R15, 0)), /* movzx r8d, word ptr [r15] */
        0x45, 0x0f, 0xb7, 0x07);
  CHECK(x64_movsx8_rm(&b, true, X64_RAX, x64_mem_bd(X64_R15, 0x7fffffff)), /* movsx rax, byte ptr [r15+0x7fffffff] */
        0x49, 0x0f, 0xbe, 0x87, 0xff, 0xff, 0xff, 0x7f);
  CHECK(x64_movsx16_rm(&b, false, X64_R13, x64_mem_bisd(X64_R15, X64_R13, 0, 0)), /* movsx r13d, word ptr [r15+r13] */
        0x47, 0x0f, 0xbf, 0x2c, 0x2f);
  CHECK(x64_movsxd_rm(&b, X64_RAX, x64_mem_bisd(X64_R11, X64_RCX, 2, 0)), /* movsxd rax, dword ptr [r11+rcx*4] */
        0x49, 0x63, 0x04, 0x8b);
  CHECK(x64_call_r(&b, X64_RAX), /* call rax */
        0xff, 0xd0);
  CHECK(x64_call_r(&b, X64_R11), /* call r11 */
        0x41, 0xff, 0xd3);
  CHECK(x64_jmp_r(&b, X64_RAX), /* jmp rax */
        0xff, 0xe0);
  CHECK(x64_push(&b, X64_RBP), /* push rbp */
        0x55);
  CHECK(x64_push(&b, X64_R15), /* push r15 */
        0x41, 0x57);
  CHECK(x64_pop(&b, X64_R12), /* pop r12 */
        0x41, 0x5c);
  CHECK(x64_pop(&b, X64_RBX), /* pop rbx */
        0x5b);
  CHECK(x64_ret(&b), /* ret */
        0xc3);
  CHECK(x64_leave(&b), /* leave */
        0xc9);
  CHECK(x64_ud2(&b), /* ud2 */
        0x0f, 0x0b);
  CHECK(x64_sse_rr(&b, X64_ADDSS, 1, 2), /* addss xmm1, xmm2 */
        0xf3, 0x0f, 0x58, 0xca);
  CHECK(x64_sse_rr(&b, X64_ADDSS, 15, 9), /* addss xmm15, xmm9 */
        0xf3, 0x45, 0x0f, 0x58, 0xf9);
}

Test(x64_asm, generated_forms_5) {
  jit_buf b;
  CHECK(x64_sse_rr(&b, X64_ADDSS, 3, 14), /* addss xmm3, xmm14 */
        0xf3, 0x41, 0x0f, 0x58, 0xde);
  CHECK(x64_sse_rr(&b, X64_ADDSD, 1, 2), /* addsd xmm1, xmm2 */
        0xf2, 0x0f, 0x58, 0xca);
  CHECK(x64_sse_rr(&b, X64_ADDSD, 15, 9), /* addsd xmm15, xmm9 */
        0xf2, 0x45, 0x0f, 0x58, 0xf9);
  CHECK(x64_sse_rr(&b, X64_ADDSD, 3, 14), /* addsd xmm3, xmm14 */
        0xf2, 0x41, 0x0f, 0x58, 0xde);
  CHECK(x64_sse_rr(&b, X64_SUBSS, 1, 2), /* subss xmm1, xmm2 */
        0xf3, 0x0f, 0x5c, 0xca);
  CHECK(x64_sse_rr(&b, X64_SUBSS, 15, 9), /* subss xmm15, xmm9 */
        0xf3, 0x45, 0x0f, 0x5c, 0xf9);
  CHECK(x64_sse_rr(&b, X64_SUBSS, 3, 14), /* subss xmm3, xmm14 */
        0xf3, 0x41, 0x0f, 0x5c, 0xde);
  CHECK(x64_sse_rr(&b, X64_SUBSD, 1, 2), /* subsd xmm1, xmm2 */
        0xf2, 0x0f, 0x5c, 0xca);
  CHECK(x64_sse_rr(&b, X64_SUBSD, 15, 9), /* subsd xmm15, xmm9 */
        0xf2, 0x45, 0x0f, 0x5c, 0xf9);
  CHECK(x64_sse_rr(&b, X64_SUBSD, 3, 14), /* subsd xmm3, xmm14 */
        0xf2, 0x41, 0x0f, 0x5c, 0xde);
  CHECK(x64_sse_rr(&b, X64_MULSS, 1, 2), /* mulss xmm1, xmm2 */
        0xf3, 0x0f, 0x59, 0xca);
  CHECK(x64_sse_rr(&b, X64_MULSS, 15, 9), /* mulss xmm15, xmm9 */
        0xf3, 0x45, 0x0f, 0x59, 0xf9);
  CHECK(x64_sse_rr(&b, X64_MULSS, 3, 14), /* mulss xmm3, xmm14 */
        0xf3, 0x41, 0x0f, 0x59, 0xde);
  CHECK(x64_sse_rr(&b, X64_MULSD, 1, 2), /* mulsd xmm1, xmm2 */
        0xf2, 0x0f, 0x59, 0xca);
  CHECK(x64_sse_rr(&b, X64_MULSD, 15, 9), /* mulsd xmm15, xmm9 */
        0xf2, 0x45, 0x0f, 0x59, 0xf9);
  CHECK(x64_sse_rr(&b, X64_MULSD, 3, 14), /* mulsd xmm3, xmm14 */
        0xf2, 0x41, 0x0f, 0x59, 0xde);
  CHECK(x64_sse_rr(&b, X64_DIVSS, 1, 2), /* divss xmm1, xmm2 */
        0xf3, 0x0f, 0x5e, 0xca);
  CHECK(x64_sse_rr(&b, X64_DIVSS, 15, 9), /* divss xmm15, xmm9 */
        0xf3, 0x45, 0x0f, 0x5e, 0xf9);
  CHECK(x64_sse_rr(&b, X64_DIVSS, 3, 14), /* divss xmm3, xmm14 */
        0xf3, 0x41, 0x0f, 0x5e, 0xde);
  CHECK(x64_sse_rr(&b, X64_DIVSD, 1, 2), /* divsd xmm1, xmm2 */
        0xf2, 0x0f, 0x5e, 0xca);
  CHECK(x64_sse_rr(&b, X64_DIVSD, 15, 9), /* divsd xmm15, xmm9 */
        0xf2, 0x45, 0x0f, 0x5e, 0xf9);
  CHECK(x64_sse_rr(&b, X64_DIVSD, 3, 14), /* divsd xmm3, xmm14 */
        0xf2, 0x41, 0x0f, 0x5e, 0xde);
  CHECK(x64_sse_rr(&b, X64_MINSS, 1, 2), /* minss xmm1, xmm2 */
        0xf3, 0x0f, 0x5d, 0xca);
  CHECK(x64_sse_rr(&b, X64_MINSS, 15, 9), /* minss xmm15, xmm9 */
        0xf3, 0x45, 0x0f, 0x5d, 0xf9);
  CHECK(x64_sse_rr(&b, X64_MINSS, 3, 14), /* minss xmm3, xmm14 */
        0xf3, 0x41, 0x0f, 0x5d, 0xde);
  CHECK(x64_sse_rr(&b, X64_MINSD, 1, 2), /* minsd xmm1, xmm2 */
        0xf2, 0x0f, 0x5d, 0xca);
  CHECK(x64_sse_rr(&b, X64_MINSD, 15, 9), /* minsd xmm15, xmm9 */
        0xf2, 0x45, 0x0f, 0x5d, 0xf9);
  CHECK(x64_sse_rr(&b, X64_MINSD, 3, 14), /* minsd xmm3, xmm14 */
        0xf2, 0x41, 0x0f, 0x5d, 0xde);
  CHECK(x64_sse_rr(&b, X64_MAXSS, 1, 2), /* maxss xmm1, xmm2 */
        0xf3, 0x0f, 0x5f, 0xca);
  CHECK(x64_sse_rr(&b, X64_MAXSS, 15, 9), /* maxss xmm15, xmm9 */
        0xf3, 0x45, 0x0f, 0x5f, 0xf9);
  CHECK(x64_sse_rr(&b, X64_MAXSS, 3, 14), /* maxss xmm3, xmm14 */
        0xf3, 0x41, 0x0f, 0x5f, 0xde);
  CHECK(x64_sse_rr(&b, X64_MAXSD, 1, 2), /* maxsd xmm1, xmm2 */
        0xf2, 0x0f, 0x5f, 0xca);
  CHECK(x64_sse_rr(&b, X64_MAXSD, 15, 9), /* maxsd xmm15, xmm9 */
        0xf2, 0x45, 0x0f, 0x5f, 0xf9);
  CHECK(x64_sse_rr(&b, X64_MAXSD, 3, 14), /* maxsd xmm3, xmm14 */
        0xf2, 0x41, 0x0f, 0x5f, 0xde);
  CHECK(x64_sse_rr(&b, X64_SQRTSS, 1, 2), /* sqrtss xmm1, xmm2 */
        0xf3, 0x0f, 0x51, 0xca);
  CHECK(x64_sse_rr(&b, X64_SQRTSS, 15, 9), /* sqrtss xmm15, xmm9 */
        0xf3, 0x45, 0x0f, 0x51, 0xf9);
  CHECK(x64_sse_rr(&b, X64_SQRTSS, 3, 14), /* sqrtss xmm3, xmm14 */
        0xf3, 0x41, 0x0f, 0x51, 0xde);
  CHECK(x64_sse_rr(&b, X64_SQRTSD, 1, 2), /* sqrtsd xmm1, xmm2 */
        0xf2, 0x0f, 0x51, 0xca);
  CHECK(x64_sse_rr(&b, X64_SQRTSD, 15, 9), /* sqrtsd xmm15, xmm9 */
        0xf2, 0x45, 0x0f, 0x51, 0xf9);
  CHECK(x64_sse_rr(&b, X64_SQRTSD, 3, 14), /* sqrtsd xmm3, xmm14 */
        0xf2, 0x41, 0x0f, 0x51, 0xde);
  CHECK(x64_sse_rr(&b, X64_ANDPS, 1, 2), /* andps xmm1, xmm2 */
        0x0f, 0x54, 0xca);
  CHECK(x64_sse_rr(&b, X64_ANDPS, 15, 9), /* andps xmm15, xmm9 */
        0x45, 0x0f, 0x54, 0xf9);
  CHECK(x64_sse_rr(&b, X64_ANDPS, 3, 14), /* andps xmm3, xmm14 */
        0x41, 0x0f, 0x54, 0xde);
  CHECK(x64_sse_rr(&b, X64_ANDNPS, 1, 2), /* andnps xmm1, xmm2 */
        0x0f, 0x55, 0xca);
  CHECK(x64_sse_rr(&b, X64_ANDNPS, 15, 9), /* andnps xmm15, xmm9 */
        0x45, 0x0f, 0x55, 0xf9);
  CHECK(x64_sse_rr(&b, X64_ANDNPS, 3, 14), /* andnps xmm3, xmm14 */
        0x41, 0x0f, 0x55, 0xde);
  CHECK(x64_sse_rr(&b, X64_ORPS, 1, 2), /* orps xmm1, xmm2 */
        0x0f, 0x56, 0xca);
  CHECK(x64_sse_rr(&b, X64_ORPS, 15, 9), /* orps xmm15, xmm9 */
        0x45, 0x0f, 0x56, 0xf9);
  CHECK(x64_sse_rr(&b, X64_ORPS, 3, 14), /* orps xmm3, xmm14 */
        0x41, 0x0f, 0x56, 0xde);
  CHECK(x64_sse_rr(&b, X64_XORPS, 1, 2), /* xorps xmm1, xmm2 */
        0x0f, 0x57, 0xca);
}

Test(x64_asm, generated_forms_6) {
  jit_buf b;
  CHECK(x64_sse_rr(&b, X64_XORPS, 15, 9), /* xorps xmm15, xmm9 */
        0x45, 0x0f, 0x57, 0xf9);
  CHECK(x64_sse_rr(&b, X64_XORPS, 3, 14), /* xorps xmm3, xmm14 */
        0x41, 0x0f, 0x57, 0xde);
  CHECK(x64_sse_rr(&b, X64_UCOMISS, 1, 2), /* ucomiss xmm1, xmm2 */
        0x0f, 0x2e, 0xca);
  CHECK(x64_sse_rr(&b, X64_UCOMISS, 15, 9), /* ucomiss xmm15, xmm9 */
        0x45, 0x0f, 0x2e, 0xf9);
  CHECK(x64_sse_rr(&b, X64_UCOMISS, 3, 14), /* ucomiss xmm3, xmm14 */
        0x41, 0x0f, 0x2e, 0xde);
  CHECK(x64_sse_rr(&b, X64_UCOMISD, 1, 2), /* ucomisd xmm1, xmm2 */
        0x66, 0x0f, 0x2e, 0xca);
  CHECK(x64_sse_rr(&b, X64_UCOMISD, 15, 9), /* ucomisd xmm15, xmm9 */
        0x66, 0x45, 0x0f, 0x2e, 0xf9);
  CHECK(x64_sse_rr(&b, X64_UCOMISD, 3, 14), /* ucomisd xmm3, xmm14 */
        0x66, 0x41, 0x0f, 0x2e, 0xde);
  CHECK(x64_sse_rr(&b, X64_CVTSS2SD, 1, 2), /* cvtss2sd xmm1, xmm2 */
        0xf3, 0x0f, 0x5a, 0xca);
  CHECK(x64_sse_rr(&b, X64_CVTSS2SD, 15, 9), /* cvtss2sd xmm15, xmm9 */
        0xf3, 0x45, 0x0f, 0x5a, 0xf9);
  CHECK(x64_sse_rr(&b, X64_CVTSS2SD, 3, 14), /* cvtss2sd xmm3, xmm14 */
        0xf3, 0x41, 0x0f, 0x5a, 0xde);
  CHECK(x64_sse_rr(&b, X64_CVTSD2SS, 1, 2), /* cvtsd2ss xmm1, xmm2 */
        0xf2, 0x0f, 0x5a, 0xca);
  CHECK(x64_sse_rr(&b, X64_CVTSD2SS, 15, 9), /* cvtsd2ss xmm15, xmm9 */
        0xf2, 0x45, 0x0f, 0x5a, 0xf9);
  CHECK(x64_sse_rr(&b, X64_CVTSD2SS, 3, 14), /* cvtsd2ss xmm3, xmm14 */
        0xf2, 0x41, 0x0f, 0x5a, 0xde);
  CHECK(x64_sse_rr(&b, X64_MOVAPS, 1, 2), /* movaps xmm1, xmm2 */
        0x0f, 0x28, 0xca);
  CHECK(x64_sse_rr(&b, X64_MOVAPS, 15, 9), /* movaps xmm15, xmm9 */
        0x45, 0x0f, 0x28, 0xf9);
  CHECK(x64_sse_rr(&b, X64_MOVAPS, 3, 14), /* movaps xmm3, xmm14 */
        0x41, 0x0f, 0x28, 0xde);
  CHECK(x64_sse_rm(&b, X64_MOVSS_LOAD, 0, x64_mem_bisd(X64_R15, X64_R8, 0, 4)), /* movss xmm0, dword ptr [r15+r8+4] */
        0xf3, 0x43, 0x0f, 0x10, 0x44, 0x07, 0x04);
  CHECK(x64_sse_rm(&b, X64_MOVSS_STORE, 9, x64_mem_bd(X64_RBP, -16)), /* movss dword ptr [rbp-16], xmm9 */
        0xf3, 0x44, 0x0f, 0x11, 0x4d, 0xf0);
  CHECK(x64_sse_rm(&b, X64_MOVSD_LOAD, 13, x64_mem_bd(X64_RSP, 0)), /* movsd xmm13, qword ptr [rsp] */
        0xf2, 0x44, 0x0f, 0x10, 0x2c, 0x24);
  CHECK(x64_sse_rm(&b, X64_MOVSD_STORE, 2, x64_mem_bd(X64_R12, 0x400)), /* movsd qword ptr [r12+0x400], xmm2 */
        0xf2, 0x41, 0x0f, 0x11, 0x94, 0x24, 0x00, 0x04, 0x00, 0x00);
  CHECK(x64_sse_rm(&b, X64_MOVUPS_LOAD, 4, x64_mem_bd(X64_RBX, 0)), /* movups xmm4, xmmword ptr [rbx] */
        0x0f, 0x10, 0x23);
  CHECK(x64_sse_rm(&b, X64_MOVUPS_STORE, 15, x64_mem_bd(X64_RAX, 0)), /* movups xmmword ptr [rax], xmm15 */
        0x44, 0x0f, 0x11, 0x38);
  CHECK(x64_sse_rm(&b, X64_MOVQ_STORE, 15, x64_mem_bd(X64_RBP, -8)), /* movq qword ptr [rbp-8], xmm15 */
        0x66, 0x44, 0x0f, 0xd6, 0x7d, 0xf8);
  CHECK(x64_movd_xr(&b, false, 15, X64_RAX), /* movd xmm15, eax */
        0x66, 0x44, 0x0f, 0x6e, 0xf8);
  CHECK(x64_movd_xr(&b, true, 3, X64_R9), /* movq xmm3, r9 */
        0x66, 0x49, 0x0f, 0x6e, 0xd9);
  CHECK(x64_movd_rx(&b, false, X64_RBX, 0), /* movd ebx, xmm0 */
        0x66, 0x0f, 0x7e, 0xc3);
  CHECK(x64_movd_rx(&b, true, X64_R12, 11), /* movq r12, xmm11 */
        0x66, 0x4d, 0x0f, 0x7e, 0xdc);
  CHECK(x64_cvtsi2ss(&b, false, 1, X64_RBX), /* cvtsi2ss xmm1, ebx */
        0xf3, 0x0f, 0x2a, 0xcb);
  CHECK(x64_cvtsi2ss(&b, true, 10, X64_RAX), /* cvtsi2ss xmm10, rax */
        0xf3, 0x4c, 0x0f, 0x2a, 0xd0);
  CHECK(x64_cvtsi2sd(&b, false, 0, X64_R13), /* cvtsi2sd xmm0, r13d */
        0xf2, 0x41, 0x0f, 0x2a, 0xc5);
  CHECK(x64_cvtsi2sd(&b, true, 15, X64_R8), /* cvtsi2sd xmm15, r8 */
        0xf2, 0x4d, 0x0f, 0x2a, 0xf8);
  CHECK(x64_cvttss2si(&b, false, X64_RSI, 3), /* cvttss2si esi, xmm3 */
        0xf3, 0x0f, 0x2c, 0xf3);
  CHECK(x64_cvttss2si(&b, true, X64_R10, 14), /* cvttss2si r10, xmm14 */
        0xf3, 0x4d, 0x0f, 0x2c, 0xd6);
  CHECK(x64_cvttsd2si(&b, false, X64_R9, 0), /* cvttsd2si r9d, xmm0 */
        0xf2, 0x44, 0x0f, 0x2c, 0xc8);
  CHECK(x64_cvttsd2si(&b, true, X64_RBX, 12), /* cvttsd2si rbx, xmm12 */
        0xf2, 0x49, 0x0f, 0x2c, 0xdc);
  CHECK(x64_roundss(&b, 1, 2, 0), /* roundss xmm1, xmm2, 0 */
        0x66, 0x0f, 0x3a, 0x0a, 0xca, 0x00);
  CHECK(x64_roundss(&b, 9, 0, 2), /* roundss xmm9, xmm0, 2 */
        0x66, 0x44, 0x0f, 0x3a, 0x0a, 0xc8, 0x02);
  CHECK(x64_roundsd(&b, 3, 13, 1), /* roundsd xmm3, xmm13, 1 */
        0x66, 0x41, 0x0f, 0x3a, 0x0b, 0xdd, 0x01);
  CHECK(x64_roundsd(&b, 15, 15, 3), /* roundsd xmm15, xmm15, 3 */
        0x66, 0x45, 0x0f, 0x3a, 0x0b, 0xff, 0x03);
}

Test(x64_asm, vex_fma_forms) {
  jit_buf b;
  /* VEX.128.66.0F38 B8/BC, W0 ps and W1 pd; R, vvvv and B each from the
   * high registers in turn (as --64, objdump -d) */
  CHECK(x64_vex_rrr(&b, 1, 2, false, 0xB8, 1, 2, 3),
        0xc4, 0xe2, 0x69, 0xb8, 0xcb); /* vfmadd231ps xmm1, xmm2, xmm3 */
  CHECK(x64_vex_rrr(&b, 1, 2, true, 0xB8, 13, 14, 15),
        0xc4, 0x42, 0x89, 0xb8, 0xef); /* vfmadd231pd xmm13, xmm14, xmm15 */
  CHECK(x64_vex_rrr(&b, 1, 2, false, 0xBC, 0, 9, 4),
        0xc4, 0xe2, 0x31, 0xbc, 0xc4); /* vfnmadd231ps xmm0, xmm9, xmm4 */
  CHECK(x64_vex_rrr(&b, 1, 2, true, 0xBC, 8, 1, 12),
        0xc4, 0x42, 0xf1, 0xbc, 0xc4); /* vfnmadd231pd xmm8, xmm1, xmm12 */
}

Test(x64_asm, branches_and_calls) {
  jit_buf b;
  /* je +0x10 ; jmp -5 ; call +0x1000 (objdump: 0f 84 10 00 00 00 etc.) */
  CHECK(cr_expect_eq(x64_jcc32(&b, X64_CC_E, 0x10), 2),
        0x0f, 0x84, 0x10, 0x00, 0x00, 0x00);
  CHECK(cr_expect_eq(x64_jcc32(&b, X64_CC_B, -6), 2),
        0x0f, 0x82, 0xfa, 0xff, 0xff, 0xff);
  CHECK(cr_expect_eq(x64_jmp32(&b, -5), 1), 0xe9, 0xfb, 0xff, 0xff, 0xff);
  CHECK(cr_expect_eq(x64_call32(&b, 0x1000), 1),
        0xe8, 0x00, 0x10, 0x00, 0x00);
  CHECK(cr_expect_eq(x64_jcc8(&b, X64_CC_P, 4), 1), 0x7a, 0x04);
  CHECK(cr_expect_eq(x64_jmp8(&b, -2), 1), 0xeb, 0xfe);
  /* a forward rel8 patched over a 2-byte instruction: jne +2; ud2 */
  CHECK(do {
    uint32_t at = x64_jcc8(&b, X64_CC_NE, 0);
    x64_ud2(&b);
    x64_patch_rel8_here(&b, at);
  } while (0), 0x75, 0x02, 0x0f, 0x0b);
}

Test(x64_asm, cpu_feature_override) {
  x64_features saved = x64_cpu_features();
  x64_features none = {false, false, false};
  x64_set_cpu_features(none);
  cr_expect(!x64_cpu_features().popcnt);
  x64_set_cpu_features(saved);
  cr_expect_eq(x64_cpu_features().lzcnt, saved.lzcnt);
}
