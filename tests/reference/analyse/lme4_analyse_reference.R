# lme4 reference numbers for tests/test_analyse_*.py, made once with Debian's r-base-core and
# r-cran-lme4 (the tests do not need R). Run from the repository root:
#   Rscript tests/reference/analyse/lme4_analyse_reference.R > tests/reference/analyse/lme4_analyse_reference.json
# Every model is fitted on a bundled dataset (db/datasets/), prepared here in the same way as the
# test prepares it through mirrorlab; numbers are printed with 10 significant digits.
suppressMessages(library(lme4))
options(digits = 10)
out <- list()
record <- function(name, m, data_note) {
  fe <- fixef(m); se <- sqrt(diag(as.matrix(vcov(m))))
  vc <- as.data.frame(VarCorr(m))
  out[[name]] <<- list(
    note = data_note, formula = paste(deparse(formula(m)), collapse = " "),
    nobs = nobs(m), logLik = as.numeric(logLik(m)), REML = isREML(m),
    criterion = if (isREML(m)) as.numeric(REMLcrit(m)) else as.numeric(deviance(m)),
    singular = isSingular(m),
    fixef = as.list(fe), se = as.list(setNames(se, names(fe))),
    varcorr = lapply(seq_len(nrow(vc)), function(i) as.list(vc[i, ])),
    lme4 = as.character(packageVersion("lme4")), R = R.version.string)
}

# 1. no item column, two crossed within-participant factors: Williams et al., Dutch file
w <- read.csv(gzfile("db/datasets/williams_stroop_language/dutch_stroop.csv.gz"))
w <- w[w$Accuracy == "Correct" & !is.na(w$RT) & w$RT >= 200 & w$RT <= 3000, ]
w$participant <- factor(w$SubjectID)
w$congruency <- factor(w$Stroop, levels = c("Incongruent", "Neutral"))
w$response_language <- factor(w$Language, levels = c("Dutch", "English"))
m1 <- lmer(rt_ms ~ congruency * response_language + (1 + congruency | participant),
           data = transform(w, rt_ms = RT), REML = TRUE)
record("williams_dutch_no_items", m1, "Accuracy == Correct, 200 <= RT <= 3000")
m1ml <- update(m1, REML = FALSE)
record("williams_dutch_no_items_ML", m1ml, "as above, ML")

# 1b. with items (WordColour): Gaussian and binomial, crossed participants and items
wi <- read.csv(gzfile("db/datasets/williams_stroop_language/dutch_stroop.csv.gz"))
wi$participant <- factor(wi$SubjectID); wi$item <- factor(wi$WordColour)
wi$congruency <- factor(wi$Stroop, levels = c("Incongruent", "Neutral"))
wi$correct <- as.integer(wi$Accuracy == "Correct")
m1i <- lmer(rt_ms ~ congruency + (1 + congruency | participant) + (1 | item),
            data = transform(w2 <- wi[wi$correct == 1 & !is.na(wi$RT) & wi$RT >= 200 & wi$RT <= 3000, ], rt_ms = RT))
record("williams_dutch_items", m1i, "Accuracy == Correct, 200 <= RT <= 3000")
b1i <- glmer(correct ~ congruency + (1 | participant) + (1 | item), data = wi, family = binomial,
             control = glmerControl(optimizer = "bobyqa"))
record("williams_dutch_items_binomial", b1i, "all trials")

# 2. the singular case: von Bastian et al. with one pseudo-item per condition (their file has
#    no item identity; the bundled mapping makes item_id = condition)
v <- read.csv2("db/datasets/vonbastian_stroop/LEF_stroop.csv", sep = ";")
v$participant <- factor(v$ID); v$congruency <- factor(v$congruency); v$item <- v$congruency
vr <- v[v$accuracy == 1 & v$RT >= 200 & v$RT <= 2000, ]
m2 <- lmer(RT ~ congruency + (1 + congruency | participant) + (1 | item), data = vr)
record("vonbastian_pseudo_items_maximal", m2, "accuracy == 1, 200 <= RT <= 2000")
m2p <- lmer(RT ~ congruency + (1 + congruency | participant), data = vr)
record("vonbastian_participant_only", m2p, "as above")
m2c <- lmer(RT ~ congruency + (1 | participant) + (1 | item), data = vr)
record("vonbastian_crossed_intercepts", m2c, "as above")

# 3. binomial GLMM, no items: von Bastian et al. accuracy (all trials)
g1 <- glmer(accuracy ~ congruency + (1 + congruency | participant), data = v, family = binomial,
            control = glmerControl(optimizer = "bobyqa"))
record("vonbastian_accuracy_binomial", g1, "all trials")
g0 <- glmer(accuracy ~ congruency + (1 | participant), data = v, family = binomial,
            control = glmerControl(optimizer = "bobyqa"))
record("vonbastian_accuracy_binomial_intercepts", g0, "all trials")

# 4. Gamma(identity) GLMM of naming latencies: Stark et al. (2024), prepared as their 04_...Rmd
s <- read.csv("db/datasets/stark2024_csi_aphasia/data_long_anonymous.csv", colClasses = "character")
s <- s[s$category != "Filler", ]
s$trial <- as.integer(s$trial)
s <- s[order(s$subject, s$session, s$trial), ]
s$PosOr <- ave(seq_len(nrow(s)), s$subject, s$session, s$category, FUN = seq_along)
s$VOT <- suppressWarnings(as.numeric(s$VOT))
code <- sub(";;;;;;", "", s$correct, fixed = TRUE); code[is.na(s$VOT)] <- "0"
s <- s[suppressWarnings(round(as.numeric(code), 1)) %in% c(1, 1.1, 1.2, 1.3), ]
s$PosOr.cont <- s$PosOr - mean(s$PosOr)
s <- s[s$VOT >= 200, ]
g2 <- glmer(VOT ~ PosOr.cont + (1 + PosOr.cont | subject) + (1 | category), data = s,
            family = Gamma(link = "identity"), control = glmerControl(optimizer = "bobyqa"))
record("stark_gamma_identity", g2, "Stark et al. (2024) RT trials (12,455), VOT in ms")
out$stark_gamma_identity$se_rx <- as.list(setNames(sqrt(diag(as.matrix(vcov(g2, use.hessian = FALSE)))), names(fixef(g2))))
g3 <- glmer(VOT ~ PosOr.cont + (1 | subject) + (1 | category), data = s,
            family = Gamma(link = "identity"), control = glmerControl(optimizer = "bobyqa"))
record("stark_gamma_identity_intercepts", g3, "as above")
out$stark_gamma_identity_intercepts$se_rx <- as.list(setNames(sqrt(diag(as.matrix(vcov(g3, use.hessian = FALSE)))), names(fixef(g3))))
g4 <- glmer(VOT ~ PosOr.cont + (1 | subject) + (1 | category), data = s,
            family = inverse.gaussian(link = "identity"), control = glmerControl(optimizer = "bobyqa"))
record("stark_inverse_gaussian_identity_intercepts", g4, "as above")
out$stark_inverse_gaussian_identity_intercepts$se_rx <- as.list(setNames(sqrt(diag(as.matrix(vcov(g4, use.hessian = FALSE)))), names(fixef(g4))))

to_json <- function(x) {
  if (is.null(x)) return("null")
  if (is.list(x)) {
    keys <- names(x)
    items <- vapply(seq_along(x), function(i) to_json(x[[i]]), "")
    if (is.null(keys)) return(paste0("[", paste(items, collapse = ", "), "]"))
    return(paste0("{", paste0('"', keys, '": ', items, collapse = ", "), "}"))
  }
  if (is.character(x) || is.factor(x)) return(if (is.na(x)) "null" else paste0('"', gsub('"', '\\\\"', as.character(x)), '"'))
  if (is.logical(x)) return(if (is.na(x)) "null" else tolower(as.character(x)))
  if (is.na(x)) return("null")
  format(x, digits = 10)
}
cat(to_json(out), "\n")
