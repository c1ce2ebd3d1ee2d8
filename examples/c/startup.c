/* Minimal Cortex-M4F start-up for QEMU's mps2-an386: a vector table, the FPU switched on
 * (the library is built for thumbv7em-none-eabihf), then newlib's _start (rdimon: printf and
 * exit through semihosting). Faults exit QEMU with status 3 instead of hanging. */
#include <stdint.h>

extern void _start(void);
extern void _exit(int);
extern uint32_t __stack_top;

void Reset_Handler(void) {
    volatile uint32_t *cpacr = (volatile uint32_t *)0xE000ED88u;
    *cpacr |= 0xFu << 20; /* CP10 and CP11: full access */
    __asm volatile("dsb\n isb");
    _start();
}

static void Fault_Handler(void) { _exit(3); }

__attribute__((section(".vectors"), used)) void (*const vectors[16])(void) = {
    (void (*)(void))&__stack_top, Reset_Handler, Fault_Handler, Fault_Handler, Fault_Handler,
    Fault_Handler, Fault_Handler, 0, 0, 0, 0, Fault_Handler, Fault_Handler, 0, Fault_Handler,
    Fault_Handler,
};

/* newlib's __libc_init_array / __libc_fini_array call these (crti/crtn are not linked). */
void _init(void) {}
void _fini(void) {}
