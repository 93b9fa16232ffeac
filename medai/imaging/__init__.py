"""Chapter 3, medical imaging with CNNs.

source_example   the source document's Dataset / model / train / evaluate, each defect fixed and named
arrays           images to standardised tensors (``image_dataset``)
splits           exact copies of an image across or within splits, found by their bytes
calibration      temperature scaling fitted on validation logits
augment          random affine augmentation on whole batches
training         the one recipe that trains an image classifier (``train_image_classifier``)
logs             the TensorBoard scalars ``fit`` logged, read back as a table
resnet           ResNet-18 for 28 x 28 grey images
unet             a small U-Net for per-pixel prediction
segmentation     BCE + Dice loss, Dice validation score
dicom            DICOM reading, Hounsfield units, windows, resampling
explain          Grad-CAM (captum) and overlays
bench            ``python -m medai bench imaging``: source pipeline vs ``fit``, eager vs exported
"""
