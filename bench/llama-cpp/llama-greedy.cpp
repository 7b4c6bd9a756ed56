// llama-greedy: greedy continuation of given token ids with llama.cpp, for
// checking a converted model against mamba-run token by token.
//
//   llama-greedy MODEL.gguf IDS NEW [THREADS [LOGITS_FILE]]
//
// IDS is a comma-separated prompt (mamba-run's --prompt-ids). Prints the
// NEW generated ids on one line, as mamba-run prints a row. LOGITS_FILE
// gets what mamba-run --dump-logits writes for batch 1: raw float32, every
// prompt position's logits, then those of each decode step but the last
// (NEW - 1 steps). llama-simple cannot do this: it takes text, and the
// converted models carry no tokenizer.

#include "llama.h"

#include <cstdio>
#include <cstdlib>
#include <sstream>
#include <string>
#include <vector>

namespace {

[[noreturn]] void fail(const std::string &what) {
  std::fprintf(stderr, "llama-greedy: %s\n", what.c_str());
  std::exit(1);
}

// The first of equal maxima, as mamba-run's argmax (and torch.argmax) picks.
llama_token argmax(const float *logits, int32_t vocab) {
  int32_t best = 0;
  for (int32_t i = 1; i < vocab; ++i)
    if (logits[i] > logits[best])
      best = i;
  return best;
}

void quietLog(ggml_log_level level, const char *text, void *) {
  if (level == GGML_LOG_LEVEL_ERROR)
    std::fputs(text, stderr);
}

} // namespace

int main(int argc, char **argv) {
  if (argc < 4 || argc > 6) {
    std::fprintf(stderr,
                 "usage: llama-greedy MODEL.gguf IDS NEW [THREADS "
                 "[LOGITS_FILE]]\n");
    return 2;
  }
  std::vector<llama_token> prompt;
  std::stringstream ids(argv[2]);
  for (std::string id; std::getline(ids, id, ',');)
    prompt.push_back(std::stoi(id));
  const int newTokens = std::atoi(argv[3]);
  const int threads = argc > 4 ? std::atoi(argv[4]) : 2;
  FILE *logitsFile = nullptr;
  if (argc > 5 && !(logitsFile = std::fopen(argv[5], "wb")))
    fail(std::string("cannot write ") + argv[5]);
  if (prompt.empty() || newTokens < 1)
    fail("needs at least one prompt id and one new token");

  llama_log_set(quietLog, nullptr);
  llama_backend_init();
  llama_model *model =
      llama_model_load_from_file(argv[1], llama_model_default_params());
  if (!model)
    fail(std::string("cannot load ") + argv[1]);
  const int32_t vocab = llama_vocab_n_tokens(llama_model_get_vocab(model));

  llama_context_params params = llama_context_default_params();
  params.n_ctx = prompt.size() + newTokens;
  params.n_batch = params.n_ubatch = prompt.size();
  params.n_threads = params.n_threads_batch = threads;
  llama_context *ctx = llama_init_from_model(model, params);
  if (!ctx)
    fail("cannot create a context");

  // Every prompt position's logits, as mamba-run computes with
  // --dump-logits; generation needs only the last.
  llama_batch batch = llama_batch_init(prompt.size(), 0, 1);
  for (size_t i = 0; i < prompt.size(); ++i) {
    batch.token[i] = prompt[i];
    batch.pos[i] = i;
    batch.n_seq_id[i] = 1;
    batch.seq_id[i][0] = 0;
    batch.logits[i] = logitsFile != nullptr || i + 1 == prompt.size();
  }
  batch.n_tokens = prompt.size();
  if (llama_decode(ctx, batch) != 0)
    fail("prefill failed");
  if (logitsFile)
    for (size_t i = 0; i < prompt.size(); ++i)
      std::fwrite(llama_get_logits_ith(ctx, i), 4, vocab, logitsFile);
  llama_token next = argmax(llama_get_logits_ith(ctx, -1), vocab);
  std::vector<llama_token> generated = {next};

  for (int step = 1; step < newTokens; ++step) {
    if (llama_decode(ctx, llama_batch_get_one(&next, 1)) != 0)
      fail("decode step failed");
    const float *logits = llama_get_logits_ith(ctx, -1);
    if (logitsFile)
      std::fwrite(logits, 4, vocab, logitsFile);
    next = argmax(logits, vocab);
    generated.push_back(next);
  }
  if (logitsFile && std::fclose(logitsFile) != 0)
    fail("writing the logits failed");

  std::printf("row 0:");
  for (llama_token t : generated)
    std::printf(" %d", t);
  std::printf("\n");

  llama_batch_free(batch);
  llama_free(ctx);
  llama_model_free(model);
  llama_backend_free();
  return 0;
}
