#!/usr/bin/env python3
"""numpy/scipy reference values for RawGan's metrics tests (tests/RawGan.Tests/Metrics).

Writes tests/fixtures/metrics_reference.json: for a few small, seeded cases, the inputs and
- the Inception Score as openai/improved-gan computes it (splits i*N//s .. (i+1)*N//s, np.mean and the
  population np.std of exp(mean KL) over the splits);
- mean, numpy.cov(rowvar=False) and FID as the TTUR / pytorch-fid code computes it (scipy.linalg.sqrtm of
  sigma1.dot(sigma2), real part), for two feature sets.
Floats are written with repr, so they round-trip exactly. Deterministic (numpy's seeded Generator).

    /usr/bin/python3 tests/reference/make_metrics_fixtures.py [output file]
"""
import json
import os
import sys

import numpy as np
from scipy import linalg


def inception_score(preds, splits):
    scores = []
    for i in range(splits):
        part = preds[(i * preds.shape[0] // splits):((i + 1) * preds.shape[0] // splits), :]
        kl = part * (np.log(part) - np.log(np.expand_dims(np.mean(part, 0), 0)))
        kl = np.mean(np.sum(kl, 1))
        scores.append(np.exp(kl))
    return float(np.mean(scores)), float(np.std(scores))


def fid(mu1, sigma1, mu2, sigma2):
    diff = mu1 - mu2
    covmean, _ = linalg.sqrtm(sigma1.dot(sigma2), disp=False)
    covmean = covmean.real
    return float(diff.dot(diff) + np.trace(sigma1) + np.trace(sigma2) - 2 * np.trace(covmean))


def softmax(x):
    e = np.exp(x - x.max(axis=1, keepdims=True))
    return e / e.sum(axis=1, keepdims=True)


def main():
    rng = np.random.default_rng(5)
    cases = {"inception_score": [], "fid": []}
    for n, k, temperature in ((50, 10, 1.0), (103, 7, 3.0), (40, 4, 0.3)):
        preds = softmax(temperature * rng.standard_normal((n, k)))
        mean, std = inception_score(preds, 10)
        cases["inception_score"].append({"n": n, "k": k, "probabilities": preds.ravel().tolist(),
                                         "splits": 10, "mean": mean, "std": std})
    # Correlated features with an offset; the last case has fewer samples than dimensions (singular covariances).
    for n1, n2, d, offset in ((60, 45, 6, 0.0), (200, 150, 16, 5.0), (12, 10, 20, 0.5)):
        mix1 = rng.standard_normal((d, d))
        mix2 = mix1 + 0.5 * rng.standard_normal((d, d))
        f1 = rng.standard_normal((n1, d)) @ mix1 + offset
        f2 = rng.standard_normal((n2, d)) @ mix2 + offset + 0.3
        mu1, mu2 = f1.mean(axis=0), f2.mean(axis=0)
        s1, s2 = np.cov(f1, rowvar=False), np.cov(f2, rowvar=False)
        cases["fid"].append({"n1": n1, "n2": n2, "d": d, "features1": f1.ravel().tolist(),
                             "features2": f2.ravel().tolist(), "mean1": mu1.tolist(), "cov1": s1.ravel().tolist(),
                             "mean2": mu2.tolist(), "cov2": s2.ravel().tolist(), "fid": fid(mu1, s1, mu2, s2)})
    here = os.path.dirname(os.path.abspath(__file__))
    out = sys.argv[1] if len(sys.argv) > 1 else os.path.join(here, "..", "fixtures", "metrics_reference.json")
    with open(out, "w") as f:
        json.dump(cases, f, indent=0)
    print(f"{os.path.relpath(out)}: {os.path.getsize(out)} bytes")


if __name__ == "__main__":
    main()
