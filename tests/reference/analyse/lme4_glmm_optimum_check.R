# Which optimum is right? glmer against mirrorlab on lme4's own objective, for the two GLMMs of
# Stark et al.'s latencies where the two programs disagreed (issue 15):
#   inverse.gaussian(identity): VOT ~ PosOr.cont + (1 | subject) + (1 | category)
#   Gamma(identity):            VOT ~ PosOr.cont + (1 + PosOr.cont | subject) + (1 | category)
# For each model this script
#   1. fits glmer as lme4_analyse_reference.R does (optimizer = "bobyqa") and with glmer's default
#      optimizers (bobyqa, then Nelder_Mead), each on the rows as prepared, reversed and sorted
#      by VOT (the same data: only the floating-point rounding differs);
#   2. evaluates glmer's own deviance function (update(fit, devFunOnly = TRUE); for nAGQ = 1 its
#      argument is c(theta, beta)) at mirrorlab's optimum (mirrorlab_glmm_points.json), at the
#      point committed in lme4_analyse_reference.json, and at every glmer fit above;
#   3. minimises that deviance function from mirrorlab's optimum and from the committed glmer point
#      with minqa's bobyqa, lme4's Nelder_Mead and NLopt's BOBYQA (nloptwrap), and refits glmer
#      with start = mirrorlab's optimum;
#   4. runs allFit on the bobyqa fit;
#   5. records lme4's RX-based SEs (vcov(use.hessian = FALSE)) and VarCorr at the best glmer fit,
#      and the parts of the deviance (aic, |u|^2, log det L^2, sum of unit deviances) at
#      mirrorlab's point.
# Run once from the repository root with Debian's r-base-core and r-cran-lme4 (the tests do not
# need R; about 10 minutes):
#   Rscript tests/reference/analyse/lme4_glmm_optimum_check.R > tests/reference/analyse/lme4_glmm_optimum_check.json
suppressMessages(library(lme4))
options(digits = 12)

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
orders <- list("as prepared" = s, "reversed" = s[rev(seq_len(nrow(s))), ], "sorted by VOT" = s[order(s$VOT), ])

mirrorlab <- jsonlite::fromJSON("tests/reference/analyse/mirrorlab_glmm_points.json", simplifyVector = FALSE)
committed <- jsonlite::fromJSON("tests/reference/analyse/lme4_analyse_reference.json", simplifyVector = FALSE)

models <- list(
  stark_inverse_gaussian_identity_intercepts = list(
    formula = VOT ~ PosOr.cont + (1 | subject) + (1 | category), family = inverse.gaussian(link = "identity")),
  stark_gamma_identity = list(
    formula = VOT ~ PosOr.cont + (1 + PosOr.cont | subject) + (1 | category), family = Gamma(link = "identity")))

quiet <- function(expr) withCallingHandlers(expr, warning = function(w) invokeRestart("muffleWarning"),
                                            message = function(m) invokeRestart("muffleMessage"))
point_of <- function(fit) unname(c(getME(fit, "theta"), fixef(fit)))
varcorr_of <- function(fit) { vc <- as.data.frame(VarCorr(fit)); lapply(seq_len(nrow(vc)), function(i) as.list(vc[i, ])) }
describe <- function(fit, devfun) list(
  x = as.list(point_of(fit)), fixef = as.list(fixef(fit)), logLik = as.numeric(logLik(fit)),
  devfun_logLik = -devfun(point_of(fit)) / 2, messages = as.list(unlist(fit@optinfo$conv$lme4$messages)))

# theta of the committed glmer fit from its VarCorr: per group, the Cholesky factor of the
# covariance relative to sigma^2, lower triangle column-wise (lme4's order)
committed_point <- function(entry) {
  vc <- entry$varcorr; sigma <- vc[[length(vc)]]$sdcor
  theta <- c()
  for (g in unique(vapply(vc[-length(vc)], function(r) r$grp, ""))) {
    rows <- Filter(function(r) r$grp == g, vc)
    terms <- vapply(Filter(function(r) is.null(r$var2), rows), function(r) r$var1, "")
    cov <- matrix(0, length(terms), length(terms), dimnames = list(terms, terms))
    for (r in rows) { b <- if (is.null(r$var2)) r$var1 else r$var2; cov[r$var1, b] <- cov[b, r$var1] <- r$vcov }
    L <- t(chol(cov / sigma^2)); theta <- c(theta, L[lower.tri(L, diag = TRUE)])
  }
  unname(c(theta, unlist(entry$fixef)))
}

out <- list()
for (name in names(models)) {
  spec <- models[[name]]
  # glmer called directly (not through a wrapper with ...): update() and allFit re-evaluate the call
  fits <- list()
  for (o in names(orders)) {
    d <- orders[[o]]
    fits[[paste0(o, ", bobyqa")]] <- quiet(glmer(spec$formula, data = d, family = spec$family,
                                                 control = glmerControl(optimizer = "bobyqa")))
    fits[[paste0(o, ", default (bobyqa then Nelder_Mead)")]] <- quiet(glmer(spec$formula, data = d, family = spec$family))
  }
  base <- quiet(glmer(spec$formula, data = s, family = spec$family, control = glmerControl(optimizer = "bobyqa")))
  devfun <- update(base, devFunOnly = TRUE)
  n_theta <- length(getME(fits[[1]], "theta"))
  lower <- c(getME(fits[[1]], "lower"), rep(-Inf, length(fixef(fits[[1]]))))
  ml <- unlist(mirrorlab[[name]]$x)
  record <- list(formula = paste(deparse(spec$formula), collapse = " "), family = spec$family$family,
                 link = spec$family$link, nobs = nrow(s), n_theta = n_theta,
                 glmer = lapply(fits, describe, devfun = devfun))

  # 2. glmer's objective at mirrorlab's optimum, and the parts of it there
  record$mirrorlab_point <- list(x = as.list(ml), mirrorlab_logLik = mirrorlab[[name]]$logLik,
                                 devfun_logLik = -devfun(ml) / 2)
  e <- environment(devfun)
  record$mirrorlab_point$parts <- list(aic = e$resp$aic(), sqrL = e$pp$sqrL(1), ldL2 = e$pp$ldL2(),
                                       resDev = e$resp$resDev())
  cp <- committed_point(committed[[name]])
  if (!is.null(cp)) record$committed_point <- list(x = as.list(cp), committed_logLik = committed[[name]]$logLik,
                                                   devfun_logLik = -devfun(cp) / 2)

  # 3. lme4's optimisers on its own deviance function, from mirrorlab's point and the committed one
  starts <- list(mirrorlab = ml); if (!is.null(cp)) starts$committed_glmer <- cp
  restarts <- list()
  for (st in names(starts)) {
    x0 <- starts[[st]]
    runs <- list(
      "minqa bobyqa" = function() { r <- minqa::bobyqa(x0, devfun, lower = lower); list(par = r$par, fval = r$fval, msg = r$msg) },
      "lme4 Nelder_Mead" = function() { r <- Nelder_Mead(devfun, x0, lower = lower, control = list(maxfun = 20000)); list(par = r$par, fval = r$fval, msg = r$message) },
      "nloptwrap BOBYQA" = function() { r <- nloptwrap(x0, devfun, lower = lower, upper = rep(Inf, length(x0))); list(par = r$par, fval = r$fval, msg = r$message) })
    for (opt in names(runs)) {
      r <- tryCatch(quiet(runs[[opt]]()), error = function(err) list(par = rep(NA, length(x0)), fval = NA, msg = conditionMessage(err)))
      restarts[[length(restarts) + 1]] <- list(start = st, optimizer = opt, x = as.list(r$par),
                                               logLik = -r$fval / 2, message = r$msg)
    }
  }
  for (step in c(TRUE, FALSE)) {
    r <- tryCatch({
      g <- quiet(glmer(spec$formula, data = s, family = spec$family,
                       start = list(theta = ml[seq_len(n_theta)], fixef = ml[-seq_len(n_theta)]),
                       control = glmerControl(optimizer = "bobyqa", nAGQ0initStep = step)))
      list(x = as.list(point_of(g)), logLik = as.numeric(logLik(g)), message = g@optinfo$message)
    }, error = function(err) list(x = NULL, logLik = NA, message = conditionMessage(err)))
    restarts[[length(restarts) + 1]] <- c(list(start = "mirrorlab", optimizer = paste0("glmer(start = ), bobyqa, nAGQ0initStep = ", step)), r)
  }
  record$restarts <- restarts

  # 4. allFit on the bobyqa fit of the rows as prepared
  af <- quiet(allFit(base, verbose = FALSE))
  ok <- !vapply(af, inherits, TRUE, "error")
  record$allFit <- lapply(af[ok], function(g) list(x = as.list(point_of(g)), logLik = as.numeric(logLik(g))))

  # 5. the best glmer fit: its SEs (RX-based, as mirrorlab reports for this family) and VarCorr
  best <- fits[[which.max(vapply(fits, function(g) as.numeric(logLik(g)), 0))]]
  record$best_glmer <- list(x = as.list(point_of(best)), fixef = as.list(fixef(best)), logLik = as.numeric(logLik(best)),
                            se_rx = as.list(setNames(sqrt(diag(as.matrix(vcov(best, use.hessian = FALSE)))), names(fixef(best)))),
                            varcorr = varcorr_of(best), sigma = sigma(best))
  record$lme4 <- as.character(packageVersion("lme4")); record$R <- R.version.string
  record$BLAS <- extSoftVersion()[["BLAS"]]
  out[[name]] <- record
}

to_json <- function(x) {
  if (is.null(x)) return("null")
  if (is.list(x)) {
    keys <- names(x)
    items <- vapply(seq_along(x), function(i) to_json(x[[i]]), "")
    if (is.null(keys)) return(paste0("[", paste(items, collapse = ", "), "]"))
    return(paste0("{", paste0('"', keys, '": ', items, collapse = ", "), "}"))
  }
  if (length(x) > 1) return(to_json(as.list(unname(x))))
  if (is.character(x) || is.factor(x)) return(if (is.na(x)) "null" else paste0('"', gsub('"', '\\\\"', gsub("\n", " ", as.character(x))), '"'))
  if (is.logical(x)) return(if (is.na(x)) "null" else tolower(as.character(x)))
  if (is.na(x)) return("null")
  format(x, digits = 15)
}
cat(to_json(out), "\n")
