"""Chapter 6, health monitoring from physiological signals.

quality          signal checks (NaN, flat lines, sampling rate)
ecg              R peaks, detection scores, heart rate and HRV, rate per window
beat_windows     AAMI beat classes, windows around R peaks, RR features
beats            beat classification data, record-wise splits, per-class report
models           1-D CNN and GRU/LSTM beat classifiers, the glucose forecaster
pressure         blood pressure per beat, ACC/AHA categories, PPG pulse peaks
glucose          forecast windows, baselines, patient splits, target scaling
glucose_alerts   Clarke error grid, hypoglycaemia alarms
personal         a population forecaster adapted to one patient's first day, with a sham control
anomaly          Isolation Forest and LOF on beat features, baseline-calibrated scores
stream           beat features for a streaming monitor, fitted on a baseline only
"""
