/* The test data of boards/qemu/data, embedded with .incbin (the assembler finds the files
   through -I, set by the Makefile). 4-byte aligned, so the model blobs are read in place. */
    .section .rodata
    .macro embed name, file
    .balign 4
    .global \name
\name:
    .incbin "\file"
\name\()_end:
    .balign 4
    .global \name\()_len
\name\()_len:
    .long \name\()_end - \name
    .endm

    embed digits_model, "digits.hbm"
    embed digits_test, "digits-test.bin"
    embed hopfield_model, "hopfield.hbm"
    embed hopfield_recall, "hopfield-recall.bin"
    embed sketch_model, "sketch.hbm"
    embed sae_model, "sae.hbm"
    embed sae_expected, "sae-expected.bin"
    embed sae_ternary_model, "sae-ternary.hbm"
    embed sae_ternary_expected, "sae-ternary-expected.bin"
    embed ensemble_model, "checkerboard-ensemble.hbm"
    embed ensemble_expected, "checkerboard-ensemble-expected.bin"
#if defined(__linux__)
    .section .note.GNU-stack,"",%progbits
#endif
