/* hyperbits from C: runs the digits classifier blob on every test row and checks each
 * prediction against the Rust host's, then an ensemble, sketch, Hopfield, SAE and bad-input
 * checks. The same
 * program runs on the host (gcc) and on an emulated Cortex-M4 (arm-none-eabi-gcc, QEMU).
 * Exit code 0 when everything matches. */
#include <stdio.h>
#include <string.h>

#include "hyperbits.h"

extern const uint8_t digits_model[], digits_test[], hopfield_model[], hopfield_recall[],
    sketch_model[], sae_model[], sae_expected[], sae_ternary_model[], sae_ternary_expected[],
    ensemble_model[], ensemble_expected[];
extern const uint32_t digits_model_len, digits_test_len, hopfield_model_len,
    hopfield_recall_len, sketch_model_len, sae_model_len, sae_expected_len,
    sae_ternary_model_len, sae_ternary_expected_len, ensemble_model_len, ensemble_expected_len;

static int checks, failures;

#define CHECK(cond, ...)                                  \
    do {                                                  \
        checks++;                                         \
        if (!(cond)) {                                    \
            printf("FAIL %s:%d: ", __FILE__, __LINE__);   \
            printf(__VA_ARGS__);                          \
            printf("\n");                                 \
            failures++;                                   \
        }                                                 \
    } while (0)

static uint32_t u32_at(const uint8_t *p) {
    return (uint32_t)p[0] | (uint32_t)p[1] << 8 | (uint32_t)p[2] << 16 | (uint32_t)p[3] << 24;
}

static void digits(void) {
    HbClassifier clf;
    HbStatus s = hb_classifier_open(&clf, digits_model, digits_model_len);
    CHECK(s == HB_STATUS_OK, "open: status %d", s);
    if (s != HB_STATUS_OK) return;
    uint32_t rows = u32_at(digits_test), features = u32_at(digits_test + 4);
    CHECK(features == clf.features, "features %u vs %u", (unsigned)features, (unsigned)clf.features);
    uint32_t same = 0, right = 0, answered = 0, answered_right = 0;
    const uint32_t sure = 58982; /* answer only at a probability of 0.9 or more (2^-16 units) */
    for (uint32_t i = 0; i < rows; i++) {
        const uint8_t *row = digits_test + 8 + i * (4 + features);
        float x[64];
        for (int f = 0; f < 64; f++) x[f] = row[4 + f];
        uint32_t cls = 99, confident = 98, p = 0, margin = 0;
        s = hb_classifier_predict(&clf, x, features, &cls);
        CHECK(s == HB_STATUS_OK, "predict row %u: status %d", (unsigned)i, s);
        s = hb_classifier_predict_confidence(&clf, x, features, &confident, &p, &margin);
        CHECK(s == HB_STATUS_OK && confident == cls && p > 0 && p <= 65536,
              "confidence row %u: status %d, class %u, p %u", (unsigned)i, s, (unsigned)confident,
              (unsigned)p);
        same += cls == row[1];
        right += cls == row[0];
        if (p >= sure) {
            answered++;
            answered_right += cls == row[0];
        }
    }
    printf("digits from C: %u of %u predictions identical to the Rust host, accuracy %u/%u\n",
           (unsigned)same, (unsigned)rows, (unsigned)right, (unsigned)rows);
    printf("digits from C at probability >= 0.9: %u answered, %u right; %u unknown\n",
           (unsigned)answered, (unsigned)answered_right, (unsigned)(rows - answered));
    CHECK(same == rows, "predictions differ from the host");
    /* Refusing the unsure rows leaves fewer mistakes among the answers. */
    CHECK(answered > 0 && answered < rows &&
              (uint64_t)answered_right * rows > (uint64_t)right * answered,
          "the confident answers are no more accurate than all of them");

    /* Encode + classify separately, and a label. */
    uint32_t hv[64], cls = 0, dist = 0;
    float x[64];
    for (int f = 0; f < 64; f++) x[f] = digits_test[8 + 4 + f];
    CHECK(hb_classifier_encode(&clf, x, 64, hv, 64) == HB_STATUS_OK, "encode");
    CHECK(hb_classifier_classify(&clf, hv, 64, &cls, &dist) == HB_STATUS_OK, "classify");
    CHECK(cls == digits_test[8 + 1], "classify class");
    const uint8_t *label = NULL;
    size_t label_len = 0;
    CHECK(hb_classifier_label(&clf, cls, &label, &label_len) == HB_STATUS_OK && label_len == 1 &&
              label[0] == (uint8_t)('0' + cls), "label");
}

static void bad_input(void) {
    HbClassifier clf;
    uint32_t out = 0, hv[64];
    float x[64] = {0};
    CHECK(hb_classifier_open(NULL, digits_model, digits_model_len) == HB_STATUS_NULL_POINTER, "null handle");
    CHECK(hb_classifier_open(&clf, NULL, 10) == HB_STATUS_NULL_POINTER, "null blob");
    CHECK(hb_classifier_open(&clf, hopfield_model, hopfield_model_len) == HB_STATUS_WRONG_KIND, "wrong kind");
    CHECK(hb_classifier_open(&clf, digits_model, 10) == HB_STATUS_TRUNCATED, "truncated");
    CHECK(hb_classifier_open(&clf, digits_model + 4, 64) == HB_STATUS_BAD_MAGIC, "bad magic");
    static uint32_t copy[1024];
    memcpy(copy, digits_model, digits_model_len);
    ((uint8_t *)copy)[200] ^= 1;
    CHECK(hb_classifier_open(&clf, (const uint8_t *)copy, digits_model_len) == HB_STATUS_CHECKSUM_MISMATCH, "flipped bit");
    CHECK(hb_hamming(hv, hv, SIZE_MAX, &out) == HB_STATUS_LENGTH_OVERFLOW, "overflowing length");
    CHECK(hb_hamming(NULL, hv, 4, &out) == HB_STATUS_NULL_POINTER, "null vector");
    CHECK(hb_classifier_open(&clf, digits_model, digits_model_len) == HB_STATUS_OK, "reopen");
    CHECK(hb_classifier_encode(&clf, x, 64, hv, 10) == HB_STATUS_BUFFER_TOO_SMALL, "short output");
    CHECK(hb_classifier_predict(&clf, x, 63, &out) == HB_STATUS_BUFFER_TOO_SMALL, "wrong feature count");
    x[3] = 1.0f / 0.0f;
    CHECK(hb_classifier_predict(&clf, x, 64, &out) == HB_STATUS_INVALID_ARGUMENT, "infinite feature");
    const uint32_t *two[2] = {hv, hv};
    CHECK(hb_bundle(two, 2, NULL, 64, hv) == HB_STATUS_INVALID_ARGUMENT, "even bundle without tie");
}

/* An ensemble of three checkerboard classifiers: every test row's class, margin and
 * probability as the Rust host computed them (rows of 3 f32 features, class, margin, p). */
static void ensemble(void) {
    HbEnsemble e;
    HbStatus s = hb_ensemble_open(&e, ensemble_model, ensemble_model_len);
    CHECK(s == HB_STATUS_OK && e.members == 3 && e.features == 3 && e.classes == 2,
          "ensemble open: status %d, %u members", s, (unsigned)e.members);
    if (s != HB_STATUS_OK) return;
    uint32_t rows = u32_at(ensemble_expected), same = 0;
    for (uint32_t i = 0; i < rows; i++) {
        const uint8_t *row = ensemble_expected + 4 + 24 * i;
        float x[3];
        memcpy(x, row, sizeof x);
        uint32_t cls = 9, p = 0, margin = 0, plain = 9;
        s = hb_ensemble_predict(&e, x, 3, &cls, &p, &margin);
        CHECK(hb_ensemble_predict(&e, x, 3, &plain, NULL, NULL) == HB_STATUS_OK && plain == cls,
              "ensemble row %u: the vote without confidence differs", (unsigned)i);
        same += s == HB_STATUS_OK && cls == u32_at(row + 12) && margin == u32_at(row + 16) &&
                p == u32_at(row + 20);
    }
    printf("ensemble from C: %u of %u rows (class, margin, probability) as on the host\n",
           (unsigned)same, (unsigned)rows);
    CHECK(rows == 64 && same == rows, "ensemble differs from the host");
    const uint8_t *label = NULL;
    size_t label_len = 0;
    CHECK(hb_ensemble_label(&e, 1, &label, &label_len) == HB_STATUS_OK && label_len == 4 &&
              memcmp(label, "even", 4) == 0, "ensemble label");
    CHECK(hb_ensemble_open(&e, hopfield_model, hopfield_model_len) == HB_STATUS_WRONG_KIND,
          "ensemble of a Hopfield blob");
}

static void algebra_sketch_hopfield(void) {
    uint32_t a[64], b[64], c[64], tie[64], out[64], d = 0;
    hb_codebook_vector(1, 0, a, 64);
    hb_codebook_vector(1, 1, b, 64);
    hb_codebook_vector(1, 2, c, 64);
    hb_codebook_vector(1, 0xFFFFFFFFu, tie, 64);
    CHECK(hb_bind(a, b, out, 64) == HB_STATUS_OK && hb_bind(out, b, out, 64) == HB_STATUS_OK &&
              memcmp(out, a, sizeof a) == 0, "bind is its own inverse");
    const uint32_t *three[3] = {a, b, c};
    CHECK(hb_bundle(three, 3, NULL, 64, out) == HB_STATUS_OK, "bundle");
    CHECK(hb_hamming(out, a, 64, &d) == HB_STATUS_OK && d < 700, "bundle is close to a member: %u", (unsigned)d);

    bool found = false;
    int members = 0, others = 0;
    HbBloom sketch;
    CHECK(hb_bloom_open(&sketch, sketch_model, sketch_model_len) == HB_STATUS_OK, "sketch open");
    for (uint64_t k = 0; k < 256; k++) {
        CHECK(hb_bloom_contains(&sketch, k, &found) == HB_STATUS_OK, "sketch");
        if (k < 64) members += found; else others += found;
    }
    CHECK(members == 64 && others <= 2, "sketch members %d, others %d", members, others);
    static uint32_t bits[32];
    hb_bloom_insert(bits, 32, 5, 9, 1234);
    CHECK(hb_bloom_query(bits, 32, 5, 9, 1234, &found) == HB_STATUS_OK && found, "bloom in RAM");

    uint32_t state[32], steps = 0;
    const uint32_t *cue = (const uint32_t *)(hopfield_recall + 4);
    HbHopfield memory;
    CHECK(hb_hopfield_open(&memory, hopfield_model, hopfield_model_len, 32) == HB_STATUS_OK, "hopfield open");
    CHECK(hb_hopfield_recall(&memory, cue, state, 32, 20, &steps) == HB_STATUS_OK, "recall");
    CHECK(memcmp(state, hopfield_recall + 4 + 128, 128) == 0 && steps == u32_at(hopfield_recall),
          "recall differs from the host");
    printf("sketch and Hopfield from C: %d/64 members found, recall in %u steps\n", members, (unsigned)steps);
}

/* Sparse block codes and a sparse distributed memory in caller-owned buffers. */
static void blocks_and_sdm(void) {
    enum { B = 32, L = 64 };
    uint16_t a[B], b[B], c[B], ab[B], inv[B], back[B], bundle[B];
    uint32_t words[B], matches = 0;
    hb_block_random(9, 0, L, a, B);
    hb_block_random(9, 1, L, b, B);
    hb_block_random(9, 2, L, c, B);
    /* The device's rule: position i is floor(word_i * L / 2^32) of the codebook item. */
    hb_codebook_vector(9, 0, words, B);
    int same = 1;
    for (int i = 0; i < B; i++) same &= a[i] == (uint16_t)(((uint64_t)words[i] * L) >> 32);
    CHECK(same, "block code positions differ from the codebook's");
    CHECK(hb_block_bind(a, b, L, ab, B) == HB_STATUS_OK && hb_block_inverse(b, L, inv, B) == HB_STATUS_OK &&
              hb_block_bind(ab, inv, L, back, B) == HB_STATUS_OK && memcmp(back, a, sizeof a) == 0,
          "block unbinding");
    const uint16_t *three[3] = {a, a, b};
    CHECK(hb_block_bundle(three, 3, L, 0, NULL, bundle, B) == HB_STATUS_OK &&
              memcmp(bundle, a, sizeof a) == 0,
          "block majority");
    three[1] = c;
    CHECK(hb_block_bundle(three, 3, L, 0, NULL, bundle, B) == HB_STATUS_OK &&
              hb_block_matches(bundle, a, B, &matches) == HB_STATUS_OK && matches >= 8,
          "block bundle keeps a member: %u blocks", (unsigned)matches);
    uint32_t counts[L];
    uint16_t counted[B];
    CHECK(hb_block_bundle(three, 3, L, 0, counts, counted, B) == HB_STATUS_OK &&
              memcmp(counted, bundle, sizeof bundle) == 0,
          "a counted block bundle is the pairwise one");
    ab[0] = L;
    CHECK(hb_block_bind(ab, b, L, back, B) == HB_STATUS_INVALID_ARGUMENT, "block position past L");

    enum { N = 128, W = 8 };
    static uint32_t addresses[N * W];
    static int8_t counters[N * 32 * W];
    static int32_t sums[32 * W];
    uint32_t item[W], read[W];
    size_t written = 0, near = 0;
    CHECK(hb_sdm_fill_addresses(5, addresses, N, W) == HB_STATUS_OK, "sdm addresses");
    HbSdm m = {addresses, counters, N, W, W, 118}; /* about 12 % of addresses: 15 locations */
    int wrong = 0;
    for (uint32_t i = 0; i < 8; i++) {
        hb_codebook_vector(6, i, item, W);
        CHECK(hb_sdm_write(&m, item, item, &written) == HB_STATUS_OK && written > 0, "sdm write");
    }
    for (uint32_t i = 0; i < 8; i++) {
        hb_codebook_vector(6, i, item, W);
        uint32_t d = 0;
        CHECK(hb_sdm_read(&m, item, sums, read, &near) == HB_STATUS_OK && near > 0, "sdm read");
        hb_hamming(item, read, W, &d);
        wrong += d;
    }
    CHECK(wrong <= 8, "sdm reads %d bits off over 8 words", wrong);
    m.radius = 0;
    CHECK(hb_sdm_read(&m, item, sums, read, &near) == HB_STATUS_INVALID_ARGUMENT, "sdm far read");
    printf("block codes and SDM from C: bundle keeps %u of %d blocks, SDM reads %d bits off\n",
           (unsigned)matches, B, wrong);
}

/* Whether the code of `input` under `model` is the host's of case `e` (212-byte cases: input,
 * count, 8 u16 indices, 8 i32 accumulators, 8 f32 values, reconstruction). */
static int sae_code_as_host(const HbSae *model, const uint32_t *input, const uint8_t *e) {
    uint16_t idx[8];
    float val[8];
    size_t n = 0;
    HbStatus s = hb_sae_encode_bits(model, input, 16, idx, val, 8, &n);
    CHECK(s == HB_STATUS_OK, "sae encode: status %d", s);
    int ok = n == u32_at(e + 64);
    for (size_t j = 0; ok && j < n; j++) {
        uint32_t bits;
        memcpy(&bits, &val[j], 4);
        ok = idx[j] == (uint16_t)(e[68 + 2 * j] | e[69 + 2 * j] << 8) && bits == u32_at(e + 116 + 4 * j);
    }
    return ok;
}

/* The SAEs of boards/qemu/data: sae.hbm (int8 encoder and decoder) and sae-ternary.hbm (packed
 * ternary encoder, threshold, no decoder): every case's latents and values as the Rust host's,
 * and sae.hbm's reconstructions. */
/* Marker functions for the instruction-count plugin (boards/qemu/insncount, `make insncount`):
 * a measured region runs from a call of bench_start to one of bench_stop; without the plugin
 * they do nothing. */
__attribute__((noinline)) void bench_start(void) { __asm__ volatile("" ::: "memory"); }
__attribute__((noinline)) void bench_stop(void) { __asm__ volatile("" ::: "memory"); }

/* One hb_sae_encode_bits call on case 0's input, between the markers (after an empty region,
 * the markers' own cost): the instruction count that .ci/run compares with the Rust
 * Sae::encode_bits of boards/qemu/examples/sae.rs on the same model and input. */
static void sae_measured(const HbSae *model) {
    uint32_t input[16];
    memcpy(input, sae_expected, sizeof input);
    uint16_t idx[8];
    float val[8];
    size_t n = 0;
    bench_start();
    bench_stop();
    bench_start();
    HbStatus s = hb_sae_encode_bits(model, input, 16, idx, val, 8, &n);
    bench_stop();
    CHECK(s == HB_STATUS_OK && n > 0, "measured sae encode: status %d", s);
}

static void sae(void) {
    /* Each blob is validated once, when its handle is opened. */
    HbSae int8_sae, ternary_sae, not_sae;
    CHECK(hb_sae_open(&int8_sae, sae_model, sae_model_len) == HB_STATUS_OK, "sae open");
    CHECK(hb_sae_open(&ternary_sae, sae_ternary_model, sae_ternary_model_len) == HB_STATUS_OK,
          "ternary sae open");
    CHECK(hb_sae_open(&not_sae, digits_model, digits_model_len) == HB_STATUS_WRONG_KIND,
          "sae: a classifier blob");
    sae_measured(&int8_sae);
    int same = 0;
    for (uint32_t c = 0; c < sae_expected_len / 212; c++) {
        const uint8_t *e = sae_expected + 212 * c;
        uint32_t input[16];
        memcpy(input, e, sizeof input);
        int ok = sae_code_as_host(&int8_sae, input, e);
        CHECK(ok, "sae case %u differs from the host", (unsigned)c);
        int packed = sae_code_as_host(&ternary_sae, input, sae_ternary_expected + 212 * c);
        CHECK(packed, "ternary sae case %u differs from the host", (unsigned)c);
        same += ok && packed;
        HbStatus s;
        /* The reconstruction and its error (novelty score). */
        uint32_t rebuilt[16];
        uint32_t errors = 0, expected_errors = 0;
        s = hb_sae_reconstruct_bits(&int8_sae, input, 16, rebuilt, &errors);
        CHECK(s == HB_STATUS_OK, "sae reconstruct: status %d", s);
        for (int w = 0; w < 16; w++) {
            uint32_t x = input[w] ^ u32_at(e + 148 + 4 * w);
            CHECK(rebuilt[w] == u32_at(e + 148 + 4 * w), "sae case %u: reconstruction word %d", (unsigned)c, w);
            for (; x; x &= x - 1) expected_errors++;
        }
        CHECK(errors == expected_errors, "sae case %u: %u differing bits, host %u", (unsigned)c,
              (unsigned)errors, (unsigned)expected_errors);
    }
    uint32_t input[16] = {0};
    uint16_t idx[8];
    float val[8];
    size_t n = 0;
    CHECK(hb_sae_encode_bits(&int8_sae, input, 16, idx, val, 4, &n) == HB_STATUS_BUFFER_TOO_SMALL,
          "sae: room for fewer than k latents");
    CHECK(hb_sae_encode_bits(&not_sae, input, 16, idx, val, 8, &n) == HB_STATUS_INVALID_ARGUMENT,
          "sae: a handle that did not open");
    uint32_t rebuilt[16], errors = 0;
    CHECK(hb_sae_reconstruct_bits(&int8_sae, input, 15, rebuilt, &errors) != HB_STATUS_OK,
          "sae reconstruct: wrong word count");
    CHECK(hb_sae_reconstruct_bits(&int8_sae, input, 16, NULL, &errors) == HB_STATUS_NULL_POINTER,
          "sae reconstruct: NULL output");
    CHECK(hb_sae_reconstruct_bits(&ternary_sae, input, 16, rebuilt, &errors) ==
              HB_STATUS_INVALID_ARGUMENT,
          "sae reconstruct: a model without a decoder");
    printf("SAE from C: %d/%u cases (int8 and ternary codes, reconstructions) as on the host\n", same, (unsigned)(sae_expected_len / 212));
}

int main(void) {
    digits();
    ensemble();
    bad_input();
    algebra_sketch_hopfield();
    blocks_and_sdm();
    sae();
    printf("%d passed, %d failed\n", checks - failures, failures);
    return failures == 0 ? 0 : 1;
}
