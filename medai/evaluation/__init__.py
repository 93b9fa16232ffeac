"""Chapter 8, evaluation and deployment: judging a model as clinical AI papers are judged, and serving it.

compare          DeLong's test and the paired bootstrap for two models' AUROCs on the same patients
calibration      Brier score, temperature scaling fitted on validation logits
decision_curve   net benefit against treating all and none (decision-curve analysis)
sites            train on one hospital, test on every hospital: AUROC, calibration, prevalence
model_card       a model card built from computed results, written as YAML, with required fields
export           TorchScript, ONNX with a dynamic batch, int8 ONNX; output parity; weight hashes
package          a model folder a service can trust: weights, manifest with their sha256, model card
service          the FastAPI service: /predict, /health, /model-card; input checks; micro-batching
serve            python -m medai serve: load (or first train) a package, run uvicorn on 127.0.0.1
bench            python -m medai bench serve: load test with and without micro-batching; model alone
"""
