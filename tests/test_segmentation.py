import numpy as np
import pytest
import torch

from medai.datasets import make_chest_phantom
from medai.imaging.augment import RandomAffine
from medai.imaging.segmentation import bce_dice_loss, dice_score, soft_dice_loss
from medai.imaging.unet import UNet


def test_phantom_is_seeded_and_nodules_lie_in_bright_spots():
    phantom = make_chest_phantom(12, size=64, seed=4)
    images, masks = phantom.data, phantom.target
    again = make_chest_phantom(12, size=64, seed=4)
    again, again_masks = again.data, again.target
    np.testing.assert_array_equal(images, again)
    np.testing.assert_array_equal(masks, again_masks)
    assert images.shape == masks.shape == (12, 1, 64, 64)
    assert images.dtype == np.float32 and masks.dtype == np.uint8
    assert 0 <= images.min() and images.max() <= 1
    with_nodules = masks.reshape(12, -1).any(1)
    assert 0 < with_nodules.sum() < 12  # some images with nodules, some without
    assert images[masks == 1].mean() > images[masks == 0].mean() + 0.1
    with pytest.raises(ValueError, match="size >= 16"):
        make_chest_phantom(1, size=8)


def test_losses_are_low_for_the_right_masks_and_high_for_the_wrong_ones():
    masks = make_chest_phantom(4, seed=1).target
    target = torch.from_numpy(masks).float()
    right = (target * 2 - 1) * 12  # confident, correct logits
    assert bce_dice_loss(right, target) < 0.05
    assert bce_dice_loss(-right, target) > 5
    assert soft_dice_loss(right, target) < soft_dice_loss(-right, target)
    assert dice_score(masks, right.numpy()) == 1.0
    with pytest.raises(ValueError, match="differ in shape"):
        bce_dice_loss(right[:, :, :32], target)


def test_unet_keeps_the_image_size_and_rejects_indivisible_sizes():
    net = UNet(width=4, depth=3)
    assert net(torch.zeros(2, 1, 32, 48)).shape == (2, 1, 32, 48)
    with pytest.raises(ValueError, match="divisible by 8"):
        net(torch.zeros(1, 1, 30, 32))


def test_random_affine_preserves_shape_is_seeded_and_identity_when_disabled():
    x = torch.rand(3, 1, 16, 16)
    same = RandomAffine(degrees=0, translate=0, scale=(1, 1))(x)
    torch.testing.assert_close(same, x, atol=1e-5, rtol=0)
    a = RandomAffine(generator=torch.Generator().manual_seed(1))(x)
    b = RandomAffine(generator=torch.Generator().manual_seed(1))(x)
    assert a.shape == x.shape and torch.equal(a, b) and not torch.allclose(a, x)
    with pytest.raises(ValueError, match="degrees >= 0"):
        RandomAffine(degrees=-1)
    with pytest.raises(ValueError, match=r"batch \(N, C, H, W\)"):
        RandomAffine()(torch.rand(16, 16))
