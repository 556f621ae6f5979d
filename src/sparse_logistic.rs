//! L2-regularised logistic regression on sparse rows, fitted by L-BFGS.
//!
//! The headline model ([`crate::clickbait`]) turns a text into a few hundred of 2^18 hashed
//! features. `linfa-logistic` fits a dense `texts × features` matrix, which at that width is
//! tens of gigabytes, so the clickbait module used to keep only the top few thousand buckets
//! for it. This module minimises the same objective directly on the sparse rows, so every
//! bucket keeps its weight:
//!
//! ```text
//! C · Σᵢ log(1 + exp(−yᵢ (w·xᵢ + b)))  +  ½‖w‖²      (yᵢ = ±1; the bias b is not penalised)
//! ```
//!
//! which is scikit-learn's `LogisticRegression(C=…)` objective. The optimiser is argmin's
//! L-BFGS (the crate linfa-logistic itself runs on), with its More-Thuente line search; the
//! cost and gradient are one pass over the non-zeros each.
//!
//! Data flow: [`SparseLogisticParams`] (validated apart from fitting, as linfa does) →
//! [`SparseLogisticParams::fit`] on rows of `(feature, value)` → [`SparseLogistic`]: a bias
//! and one weight per feature.
//!
//! ```
//! use gleaner::sparse_logistic::SparseLogisticParams;
//!
//! // Feature 0 means "yes", feature 1 means "no"; feature 2 is noise.
//! let rows: Vec<Vec<(u32, f32)>> = vec![
//!     vec![(0, 1.0), (2, 1.0)],
//!     vec![(0, 1.0)],
//!     vec![(1, 1.0), (2, 1.0)],
//!     vec![(1, 1.0)],
//! ];
//! let labels = [true, true, false, false];
//! let fitted = SparseLogisticParams::new(10.0).fit(&rows, &labels, 3)?;
//! assert!(fitted.weights[0] > 1.0 && fitted.weights[1] < -1.0);
//! assert!(fitted.weights[2].abs() < 1e-3);
//! assert!(fitted.probability(&[(0, 1.0)]) > 0.5 && fitted.probability(&[(1, 1.0)]) < 0.5);
//! # Ok::<(), String>(())
//! ```

use argmin::core::{CostFunction, Executor, Gradient, State};
use argmin::solver::linesearch::MoreThuenteLineSearch;
use argmin::solver::quasinewton::LBFGS;
use ndarray::Array1;

/// Hyperparameters of [`SparseLogisticParams::fit`].
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct SparseLogisticParams {
    /// Inverse regularisation strength (scikit-learn's `C`): larger fits the data harder.
    pub c: f64,
    /// L-BFGS iteration cap.
    pub max_iterations: u64,
    /// Stop when the gradient's norm falls below this.
    pub gradient_tolerance: f64,
    /// How many past steps L-BFGS remembers.
    pub memory: usize,
}

impl SparseLogisticParams {
    /// `c` with the default iteration cap (500), gradient tolerance (1e-4) and memory (10).
    pub fn new(c: f64) -> Self {
        SparseLogisticParams {
            c,
            max_iterations: 500,
            gradient_tolerance: 1e-4,
            memory: 10,
        }
    }

    /// Checks the settings without touching data.
    pub fn validate(&self) -> Result<(), String> {
        if !(self.c.is_finite() && self.c > 0.0) {
            return Err(format!("C must be positive and finite, got {}", self.c));
        }
        if self.max_iterations == 0 {
            return Err("max_iterations must be positive".into());
        }
        if !(self.gradient_tolerance.is_finite() && self.gradient_tolerance > 0.0) {
            return Err(format!(
                "gradient_tolerance must be positive, got {}",
                self.gradient_tolerance
            ));
        }
        if self.memory == 0 {
            return Err("memory must be positive".into());
        }
        Ok(())
    }

    /// Fits on `rows` (sorted or not; a feature index must be below `n_features`) with their
    /// `labels`. Errors name what is wrong: bad settings, mismatched lengths, an
    /// out-of-range feature, one class only, or the optimiser's own failure.
    pub fn fit<R: AsRef<[(u32, f32)]>>(
        &self,
        rows: &[R],
        labels: &[bool],
        n_features: usize,
    ) -> Result<SparseLogistic, String> {
        self.validate()?;
        if rows.len() != labels.len() {
            return Err(format!("{} rows but {} labels", rows.len(), labels.len()));
        }
        let positives = labels.iter().filter(|&&y| y).count();
        if positives == 0 || positives == labels.len() {
            return Err("logistic regression needs examples of both classes".into());
        }
        if let Some(&(j, _)) = rows
            .iter()
            .flat_map(|r| r.as_ref())
            .find(|(j, _)| *j as usize >= n_features)
        {
            return Err(format!(
                "feature {j} is out of range for {n_features} features"
            ));
        }
        let problem = Problem {
            rows: rows.iter().map(AsRef::as_ref).collect(),
            signs: labels.iter().map(|&y| if y { 1.0 } else { -1.0 }).collect(),
            n_features,
            c: self.c,
        };
        let solver = LBFGS::new(MoreThuenteLineSearch::new(), self.memory)
            .with_tolerance_grad(self.gradient_tolerance)
            .map_err(|e| e.to_string())?
            .with_tolerance_cost(0.0)
            .map_err(|e| e.to_string())?;
        let start = Array1::<f64>::zeros(n_features + 1);
        let result = Executor::new(problem, solver)
            .configure(|state| state.param(start).max_iters(self.max_iterations))
            .run()
            .map_err(|e| format!("L-BFGS failed: {e}"))?;
        let best = result
            .state()
            .get_best_param()
            .ok_or("L-BFGS returned no parameters")?;
        Ok(SparseLogistic {
            bias: best[n_features],
            weights: best.slice(ndarray::s![..n_features]).to_vec(),
        })
    }
}

/// A fitted model: `P(true | x) = σ(bias + Σ weights[j]·x_j)`.
#[derive(Clone, Debug, PartialEq)]
pub struct SparseLogistic {
    /// The intercept.
    pub bias: f64,
    /// One weight per feature.
    pub weights: Vec<f64>,
}

impl SparseLogistic {
    /// The logit of a sparse row.
    pub fn logit(&self, row: &[(u32, f32)]) -> f64 {
        self.bias
            + row
                .iter()
                .map(|&(j, v)| self.weights[j as usize] * f64::from(v))
                .sum::<f64>()
    }

    /// The probability of `true` for a sparse row.
    pub fn probability(&self, row: &[(u32, f32)]) -> f64 {
        1.0 / (1.0 + (-self.logit(row)).exp())
    }
}

/// The objective; the parameter vector is the weights followed by the bias.
struct Problem<'a> {
    rows: Vec<&'a [(u32, f32)]>,
    signs: Vec<f64>,
    n_features: usize,
    c: f64,
}

impl Problem<'_> {
    fn margin(&self, p: &Array1<f64>, i: usize) -> f64 {
        let z = p[self.n_features]
            + self.rows[i]
                .iter()
                .map(|&(j, v)| p[j as usize] * f64::from(v))
                .sum::<f64>();
        self.signs[i] * z
    }
}

/// `log(1 + exp(−m))` without overflow.
fn log_loss(m: f64) -> f64 {
    if m > 0.0 {
        (-m).exp().ln_1p()
    } else {
        -m + m.exp().ln_1p()
    }
}

impl CostFunction for Problem<'_> {
    type Param = Array1<f64>;
    type Output = f64;

    fn cost(&self, p: &Self::Param) -> Result<f64, argmin::core::Error> {
        let data: f64 = (0..self.rows.len())
            .map(|i| log_loss(self.margin(p, i)))
            .sum();
        let penalty: f64 = p.iter().take(self.n_features).map(|w| w * w).sum();
        Ok(self.c * data + 0.5 * penalty)
    }
}

impl Gradient for Problem<'_> {
    type Param = Array1<f64>;
    type Gradient = Array1<f64>;

    fn gradient(&self, p: &Self::Param) -> Result<Array1<f64>, argmin::core::Error> {
        let mut g = p.clone();
        g[self.n_features] = 0.0;
        for i in 0..self.rows.len() {
            // d/dz log(1 + exp(−s z)) = −s · σ(−s z)
            let m = self.margin(p, i);
            let d = -self.signs[i] * self.c / (1.0 + m.exp());
            for &(j, v) in self.rows[i] {
                g[j as usize] += d * f64::from(v);
            }
            g[self.n_features] += d;
        }
        Ok(g)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn bad_settings_and_data_are_refused_with_reasons() {
        let rows = vec![vec![(0u32, 1.0f32)], vec![(1, 1.0)]];
        let cases: [(f64, &[bool], usize, &str); 4] = [
            (0.0, &[true, false], 2, "C must be positive"),
            (1.0, &[true, true], 2, "both classes"),
            (1.0, &[true], 2, "2 rows but 1 labels"),
            (1.0, &[true, false], 1, "out of range"),
        ];
        for (c, labels, n_features, reason) in cases {
            let err = SparseLogisticParams::new(c)
                .fit(&rows, labels, n_features)
                .unwrap_err();
            assert!(err.contains(reason), "{err}");
        }
    }

    /// The gradient must be the cost's derivative, or L-BFGS wanders: compare with central
    /// differences at a point away from the optimum.
    #[test]
    fn gradient_matches_finite_differences() {
        let rows: Vec<Vec<(u32, f32)>> = vec![
            vec![(0, 0.5), (2, 1.0)],
            vec![(1, 2.0)],
            vec![(0, 1.0), (1, -1.0)],
        ];
        let problem = Problem {
            rows: rows.iter().map(Vec::as_slice).collect(),
            signs: vec![1.0, -1.0, 1.0],
            n_features: 3,
            c: 2.0,
        };
        let p = Array1::from(vec![0.3, -0.2, 0.7, 0.1]);
        let g = problem.gradient(&p).unwrap();
        for k in 0..4 {
            let (mut up, mut down) = (p.clone(), p.clone());
            up[k] += 1e-6;
            down[k] -= 1e-6;
            let numeric = (problem.cost(&up).unwrap() - problem.cost(&down).unwrap()) / 2e-6;
            assert!(
                (numeric - g[k]).abs() < 1e-5,
                "k={k}: {numeric} vs {}",
                g[k]
            );
        }
    }

    /// A weaker penalty (larger C) lets the weights grow; the unpenalised bias absorbs the
    /// class balance.
    #[test]
    fn c_trades_fit_against_weight_size() {
        let rows: Vec<Vec<(u32, f32)>> = (0..40)
            .map(|i| vec![((i % 2) as u32, 1.0), (2, 1.0)])
            .collect();
        let labels: Vec<bool> = (0..40).map(|i| i % 2 == 0 || i % 7 == 0).collect();
        let weak = SparseLogisticParams::new(0.01)
            .fit(&rows, &labels, 3)
            .unwrap();
        let strong = SparseLogisticParams::new(100.0)
            .fit(&rows, &labels, 3)
            .unwrap();
        assert!(strong.weights[0] - strong.weights[1] > weak.weights[0] - weak.weights[1]);
        assert!(strong.probability(&rows[0]) > 0.95);
        assert!(strong.probability(&rows[1]) < 0.5);
    }
}
