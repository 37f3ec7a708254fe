# Reference censored fits for thetahat's tests (issue 19), produced with R's
# fitdistrplus::fitdistcens and survival::survreg.  Run from this folder:
#   Rscript censored_fits.R
# Writes fitdistrplus_<name>.csv (the package's own censored datasets, as left/right
# columns with NA for an open side) and r_censored_fits.json (estimates, standard
# errors, log-likelihoods, AIC/BIC, and fitdistrplus' NPMLE of each dataset), and prints sessionInfo() so the versions are on record.
suppressPackageStartupMessages({
  library(fitdistrplus); library(actuar); library(jsonlite); library(survival)
})
data(salinity); data(smokedfish); data(fluazinam)
sets <- list(salinity = salinity, smokedfish = smokedfish, fluazinam = fluazinam)
for (nm in names(sets)) {
  write.csv(sets[[nm]], sprintf("fitdistrplus_%s.csv", nm), row.names = FALSE, na = "")
}
# Nelder-Mead (fitdistcens' default) stopped at its default reltol is accurate to
# about 1e-4; the fits below ask optim for a tight optimum so that the reference
# is the maximum itself, and report optim's convergence code.
tight <- list(reltol = 1e-15, maxit = 20000)
# The Gumbel (maximum) as scipy's gumbel_r and thetahat's Gumbel(loc, scale):
dgumbel <- function(x, loc, scale) exp(-(x - loc) / scale - exp(-(x - loc) / scale)) / scale
pgumbel <- function(q, loc, scale) exp(-exp(-(q - loc) / scale))
one <- function(data, set, scale, distr, start = NULL) {
  d <- if (scale == "log10") log10(data) else data
  f <- if (is.null(start)) fitdistcens(d, distr, control = tight)
       else fitdistcens(d, distr, start = start, control = tight)
  list(data = set, scale = scale, distr = distr,
       estimate = as.list(f$estimate), sd = as.list(f$sd),
       vcov = unname(f$vcov), loglik = f$loglik, aic = f$aic, bic = f$bic,
       n = nrow(d), convergence = f$convergence)
}
fits <- list(
  one(salinity, "salinity", "log10", "norm"),
  one(salinity, "salinity", "log10", "logis"),
  one(salinity, "salinity", "raw", "lnorm"),
  one(salinity, "salinity", "raw", "weibull"),
  one(salinity, "salinity", "raw", "gamma", start = list(shape = 10, rate = 0.5)),
  one(salinity, "salinity", "raw", "llogis"),
  one(salinity, "salinity", "log10", "gumbel", start = list(loc = 1.4, scale = 0.2)),
  one(smokedfish, "smokedfish", "log10", "norm"),
  one(smokedfish, "smokedfish", "log10", "logis"),
  one(smokedfish, "smokedfish", "raw", "lnorm"),
  one(fluazinam, "fluazinam", "log10", "norm"),
  one(fluazinam, "fluazinam", "log10", "logis"),
  one(fluazinam, "fluazinam", "raw", "lnorm"),
  one(fluazinam, "fluazinam", "raw", "weibull"),
  one(fluazinam, "fluazinam", "raw", "llogis"),
  one(fluazinam, "fluazinam", "log10", "gumbel", start = list(loc = 2, scale = 1))
)
# Nonparametric MLE of the censored cdf: fitdistrplus' own (Wang's constrained Newton
# method, the default of plotdistcens), on the log10 scale of each dataset.
npmles <- lapply(names(sets), function(nm) {
  r <- fitdistrplus:::npmle(log10(sets[[nm]]), method = "Wang")
  list(data = nm, scale = "log10", left = r$left, right = r$right, p = r$p)
})
writeLines(toJSON(list(
  produced_by = "censored_fits.R",
  r_version = R.version.string,
  fitdistrplus = as.character(packageVersion("fitdistrplus")),
  actuar = as.character(packageVersion("actuar")),
  fits = fits, npmle = npmles), auto_unbox = TRUE, digits = I(15), pretty = TRUE),
  "r_censored_fits.json")
for (f in fits) cat(f$data, f$scale, f$distr, unlist(f$estimate), "loglik", f$loglik, "conv", f$convergence, "\n")
sessionInfo()
