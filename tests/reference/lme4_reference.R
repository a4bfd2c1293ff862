# Reference numbers from R's lme4 for mirrorlab's mixed-model engines.
#
# Run from the repository root:   Rscript tests/reference/lme4_reference.R
# Writes tests/reference/lme4_reference.json; the tests compare the Python engines with it and
# do not need R. Datasets:
#   * crossed_sim.csv (committed; made by make_crossed_sim.py): 30 participants x 36 items.
#   * Pratte, Rouder, Morey & Feng (2010) Exp. 1 Stroop part, ../shared/data/pratte2010_stroop/allsi2.dat
#     (exp == 1), RT rows: correct and 200 <= rt_ms <= 2000; accuracy rows: 200 <= rt_ms <= 2000.
#     participant = sprintf("s%02d", sub); item = "<ink>/<WORD>" (ink x word, e.g. "red/GREEN").
# Factor levels are fixed (congruent, neutral, incongruent): lme4's maximal fit can depend on
# the level order, and treatment contrasts make congruent the reference level.
suppressPackageStartupMessages({library(lme4); library(jsonlite)})

args <- commandArgs(trailingOnly = FALSE)
here <- dirname(normalizePath(sub("--file=", "", args[grep("--file=", args)])))
shared <- Sys.getenv("MIRRORLAB_SHARED_DATA", file.path(here, "..", "..", "..", "shared", "data"))
levels_condition <- c("congruent", "neutral", "incongruent")

prepare <- function(d) {
  d$condition <- factor(d$condition, levels = levels_condition)
  d$participant <- factor(d$participant)
  d$item <- factor(d$item)
  d$c_neutral <- as.numeric(d$condition == "neutral")
  d$c_incongruent <- as.numeric(d$condition == "incongruent")
  d
}

sim <- prepare(read.csv(file.path(here, "crossed_sim.csv"), stringsAsFactors = FALSE))

raw <- read.table(file.path(shared, "pratte2010_stroop", "allsi2.dat"))
colnames(raw) <- c("exp", "sub", "blk", "trial", "color", "distract", "cond", "resp", "acc", "rt", "errorTotal")
raw <- raw[raw$exp == 1, ]
raw$rt_ms <- raw$rt * 1000
ink <- c("red", "green", "blue")[raw$color + 1]
word <- c("RED", "GREEN", "BLUE", "XXX")[raw$distract + 1]
pratte_all <- data.frame(participant = sprintf("s%02d", raw$sub), item = paste0(ink, "/", word),
                         condition = c("incongruent", "congruent", "neutral")[raw$cond + 1],
                         rt_ms = raw$rt_ms, correct = raw$acc, stringsAsFactors = FALSE)
pratte_all <- pratte_all[pratte_all$rt_ms >= 200 & pratte_all$rt_ms <= 2000, ]
pratte_acc <- prepare(pratte_all)
pratte_rt <- prepare(pratte_all[pratte_all$correct == 1, ])

describe <- function(fit, data) {
  vc <- as.data.frame(VarCorr(fit))
  vc_rows <- lapply(seq_len(nrow(vc)), function(i) list(
    group = vc$grp[i], var1 = if (is.na(vc$var1[i])) NULL else vc$var1[i],
    var2 = if (is.na(vc$var2[i])) NULL else vc$var2[i], vcov = vc$vcov[i], sdcor = vc$sdcor[i]))
  list(
    formula = paste(deparse(formula(fit), width.cutoff = 500), collapse = ""),
    REML = isREML(fit), nobs = nobs(fit),
    fixef = as.list(fixef(fit)),
    se = as.list(setNames(sqrt(diag(as.matrix(vcov(fit)))), names(fixef(fit)))),
    # GLMMs: glmer's default SEs use the finite-difference Hessian over (theta, beta);
    # se_rx are the RX-based ones (use.hessian = FALSE), the definition mixedlm uses.
    se_rx = if (isGLMM(fit)) as.list(setNames(sqrt(diag(as.matrix(suppressWarnings(
      vcov(fit, use.hessian = FALSE))))), names(fixef(fit)))) else NULL,
    varcorr = vc_rows,
    sigma = sigma(fit),
    logLik = as.numeric(logLik(fit)),
    singular = isSingular(fit),
    n_groups = as.list(ngrps(fit)),
    sum_rt_ms = if ("rt_ms" %in% names(data)) sum(data$rt_ms) else NULL,
    sum_correct = sum(data$correct)
  )
}

ctrl <- lmerControl(optimizer = "bobyqa", optCtrl = list(maxfun = 1e5))
gctrl <- glmerControl(optimizer = "bobyqa", optCtrl = list(maxfun = 1e5))
lmm_models <- list(
  crossed_intercepts = rt_ms ~ condition + (1 | participant) + (1 | item),
  zero_correlation = rt_ms ~ condition + (1 + c_neutral + c_incongruent || participant) + (1 | item),
  maximal = rt_ms ~ condition + (1 + condition | participant) + (1 | item)
)
out <- list(
  lme4_version = as.character(packageVersion("lme4")), R_version = R.version.string,
  levels = list(condition = levels_condition), datasets = list())
for (name in c("crossed_sim", "pratte2010")) {
  rt_data <- if (name == "crossed_sim") sim else pratte_rt
  acc_data <- if (name == "crossed_sim") sim else pratte_acc
  fits <- list()
  for (model in names(lmm_models)) {
    fits[[model]] <- describe(lmer(lmm_models[[model]], data = rt_data, REML = TRUE, control = ctrl), rt_data)
  }
  fits[["binomial"]] <- describe(glmer(correct ~ condition + (1 | participant) + (1 | item),
                                       data = acc_data, family = binomial, control = gctrl), acc_data)
  out$datasets[[name]] <- fits
}
writeLines(toJSON(out, auto_unbox = TRUE, digits = NA, pretty = TRUE, null = "null"),
           file.path(here, "lme4_reference.json"))
cat("wrote", file.path(here, "lme4_reference.json"), "\n")
