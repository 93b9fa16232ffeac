"""The chest X-ray model as an HTTP service (FastAPI), scored by ONNX Runtime, with micro-batching.

Routes: ``POST /predict`` (a 28 x 28 greyscale PNG or JPEG as the request body or as the form
field ``image``, or JSON ``{"pixels": [[...28 numbers...] x 28]}`` with values 0-255), ``GET
/health`` and ``GET /model-card``. A prediction carries the calibrated probability of pneumonia,
the label at the threshold chosen on validation data, the model version and the sha256 of the
weights. Every bad request gets a 4xx with a sentence saying what was wrong; every request is
logged. With ``batch_wait_ms > 0`` requests that arrive within that many milliseconds of each
other are scored as one batch.
"""

# No ``from __future__ import annotations``: FastAPI reads the route functions' annotations at run time.
import asyncio
import io
import json
import logging
import tempfile
import time
from pathlib import Path

import numpy as np

from .package import ModelPackage

SIZE = 28
MAX_UPLOAD_BYTES = 256 * 1024  # a 28 x 28 image is a few hundred bytes; anything this big is a mistake
BODY_TIMEOUT_S = 10.0  # a client that stops sending mid-body holds a connection; it gets 408 instead
SHUTDOWN_TIMEOUT_S = 3.0  # on SIGTERM, open requests get this long before the server stops anyway
log = logging.getLogger("medai.serve")


class BadInput(Exception):
    """A request the service cannot score; ``status`` is the HTTP code to answer with."""

    def __init__(self, status: int, detail: str) -> None:
        super().__init__(detail)
        self.status, self.detail = status, detail


_FORMATS = {"PNG": "image/png", "JPEG": "image/jpeg"}


def image_pixels(data: bytes, declared: str | None = None) -> np.ndarray:
    """A PNG or JPEG as a (28, 28) uint8 array: colour converted to grey, 16-bit grey scaled to 8
    bits (not clipped), anything else refused. ``declared``: the content type the client sent,
    which must match what the bytes are."""
    from PIL import Image, UnidentifiedImageError

    try:
        with Image.open(io.BytesIO(data)) as image:
            image.load()
            kind = _FORMATS.get(image.format or "")
            if kind is None:
                raise BadInput(415, f"the upload is a {image.format or 'unknown'} image; send a PNG or JPEG")
            if declared is not None and declared != kind:
                raise BadInput(415, f"the upload was sent as {declared} but is a {image.format}; send it as {kind}")
            grey = _grey_8bit(image)
    except (UnidentifiedImageError, OSError, ValueError) as error:
        raise BadInput(400, f"the upload is not a readable PNG or JPEG image ({error})") from None
    if grey.shape != (SIZE, SIZE):
        raise BadInput(422, f"expected a {SIZE}x{SIZE} image (the model's resolution), got {grey.shape[1]}x{grey.shape[0]}")
    return with_content(grey)


def _grey_8bit(image) -> np.ndarray:
    """The image's grey levels as uint8. PIL's own conversion clips 16-bit values at 255 (a
    radiograph saved at 16 bits would turn white), so those are scaled: 65535 -> 255."""
    if image.mode in ("I;16", "I;16L", "I;16B", "I"):
        values = np.asarray(image, dtype=np.int64)
        if values.min() < 0 or values.max() > 65535:
            raise BadInput(422, f"the image's grey levels run from {values.min()} to {values.max()}; expected 8 or 16 bits")
        return np.round(values / 257).astype(np.uint8)
    if image.mode == "F":
        raise BadInput(415, "floating-point images are not accepted: send 8- or 16-bit greyscale")
    return np.asarray(image.convert("L"), dtype=np.uint8)


def with_content(pixels: np.ndarray) -> np.ndarray:
    """``pixels`` unchanged, unless every pixel has the same value: a blank image (all black, all
    white) carries nothing to score, and the model would still answer with confidence."""
    if pixels.size and np.ptp(pixels) == 0:
        raise BadInput(422, f"the image is blank (every pixel is {pixels.flat[0]:g}): nothing to score")
    return pixels


def json_pixels(data: bytes) -> np.ndarray:
    """``{"pixels": [[...], ...]}`` as a (28, 28) float array of values in 0-255."""
    try:
        body = json.loads(data)
    except (ValueError, UnicodeDecodeError):
        raise BadInput(400, "the body is not valid JSON") from None
    except RecursionError:  # "[[[[...": Python's parser recurses once per level
        raise BadInput(400, "the JSON is nested too deeply") from None
    if not isinstance(body, dict) or "pixels" not in body:
        raise BadInput(422, 'expected a JSON object with a "pixels" field: 28 rows of 28 numbers from 0 to 255')
    try:
        pixels = np.asarray(body["pixels"], dtype=np.float64)
    except (ValueError, TypeError, RecursionError):
        raise BadInput(422, '"pixels" must be 28 rows of 28 numbers') from None
    if pixels.shape != (SIZE, SIZE):
        raise BadInput(422, f'"pixels" must have shape ({SIZE}, {SIZE}), got {pixels.shape}')
    if not np.isfinite(pixels).all() or pixels.min() < 0 or pixels.max() > 255:
        raise BadInput(422, '"pixels" values must be finite numbers from 0 to 255')
    return with_content(pixels)


def onnx_scorer(package: ModelPackage):
    """A function from (N, 28, 28) pixel arrays (0-255) to calibrated probabilities of class 1."""
    import torch
    from scipy.special import softmax

    from ..imaging.arrays import to_float_tensor
    from .export import export_onnx, onnx_logits, onnx_session

    with tempfile.TemporaryDirectory() as folder:
        session = onnx_session(export_onnx(package.model, torch.zeros(1, 1, SIZE, SIZE), Path(folder) / "model.onnx"))

    def score(pixels: np.ndarray) -> np.ndarray:
        x = to_float_tensor(torch.as_tensor(np.asarray(pixels, dtype=np.float32) / 255.0)).numpy()
        return softmax(onnx_logits(session, x) / package.temperature, axis=1)[:, 1]

    return score


class MicroBatcher:
    """Collects requests for up to ``wait_ms`` (or ``max_batch`` of them) and scores them at once."""

    def __init__(self, score, wait_ms: float, max_batch: int = 64) -> None:
        self.score, self.wait, self.max_batch = score, wait_ms / 1000, max_batch
        self.queue: asyncio.Queue = asyncio.Queue()
        self.batches: list[int] = []  # sizes of the batches scored, for the benchmark

    async def submit(self, pixels: np.ndarray) -> float:
        future = asyncio.get_running_loop().create_future()
        await self.queue.put((pixels, future))
        return await future

    async def run(self) -> None:
        while True:
            batch = [await self.queue.get()]
            await asyncio.sleep(self.wait)  # requests arriving meanwhile join this batch
            while len(batch) < self.max_batch and not self.queue.empty():
                batch.append(self.queue.get_nowait())
            try:
                probabilities = self.score(np.stack([pixels for pixels, _ in batch]))
                for (_, future), p in zip(batch, probabilities):
                    future.set_result(float(p))
            except Exception as error:  # noqa: BLE001 - every waiting request must hear of it
                for _, future in batch:
                    future.set_exception(error)
            self.batches.append(len(batch))


class GuardAndLog:
    """ASGI middleware: refuse a declared body over the limit before reading it (413), and log
    every request with its status and time. Plain ASGI, not FastAPI's ``@app.middleware``, which
    costs a good share of a small request's time."""

    def __init__(self, app, max_upload_bytes: int) -> None:
        self.app, self.limit = app, max_upload_bytes

    async def __call__(self, scope, receive, send):
        if scope["type"] != "http":
            return await self.app(scope, receive, send)
        start, status = time.perf_counter(), [500]
        length = dict(scope["headers"]).get(b"content-length", b"0").decode("latin-1")

        async def send_and_note(message):
            if message["type"] == "http.response.start":
                status[0] = message["status"]
            await send(message)

        if not length.isdigit() or int(length) > self.limit:
            from fastapi.responses import JSONResponse

            response = JSONResponse({"detail": f"the upload is over the limit of {self.limit:,} bytes"}, 413)
            await response(scope, receive, send_and_note)
        else:
            from starlette.requests import ClientDisconnect

            try:
                await self.app(scope, receive, send_and_note)
            except ClientDisconnect:  # the client left mid-body: nobody to answer, nothing to trace
                log.info("%s %s client disconnected after %.1f ms", scope["method"], scope["path"],
                         (time.perf_counter() - start) * 1000)  # fmt: skip
                return
        log.info("%s %s %d %.1f ms", scope["method"], scope["path"], status[0], (time.perf_counter() - start) * 1000)


def create_app(package: ModelPackage, *, batch_wait_ms: float = 0.0, max_batch: int = 64,
               max_upload_bytes: int = MAX_UPLOAD_BYTES, body_timeout_s: float = BODY_TIMEOUT_S):  # fmt: skip
    """The FastAPI application serving ``package``."""
    from contextlib import asynccontextmanager

    from fastapi import FastAPI, Request
    from fastapi.responses import JSONResponse

    score = onnx_scorer(package)
    batcher = MicroBatcher(score, batch_wait_ms, max_batch) if batch_wait_ms > 0 else None

    @asynccontextmanager
    async def lifespan(app):
        task = asyncio.create_task(batcher.run()) if batcher else None
        yield
        if task:
            task.cancel()

    app = FastAPI(title="medai chest X-ray model", version=package.version, lifespan=lifespan)
    app.state.batcher = batcher
    identity = {"model_version": package.version, "package_sha256": package.package_sha256,
                "weights_sha256": package.weights_sha256}

    app.add_middleware(GuardAndLog, max_upload_bytes=max_upload_bytes)

    @app.exception_handler(BadInput)
    async def bad_input(request: Request, error: BadInput):
        return JSONResponse({"detail": error.detail}, status_code=error.status)

    @app.get("/health")
    async def health():
        return {"status": "ok", **identity}

    @app.get("/model-card")
    async def model_card():
        return package.card

    @app.post("/predict")
    async def predict(request: Request):
        pixels = await read_pixels(request, max_upload_bytes, body_timeout_s)
        probability = await batcher.submit(pixels) if batcher else float(score(pixels[None])[0])
        return {"probability": probability, "label": "pneumonia" if probability >= package.threshold else "normal",
                "threshold": package.threshold, **identity}  # fmt: skip

    return app


async def read_pixels(request, limit: int, timeout_s: float = BODY_TIMEOUT_S) -> np.ndarray:
    """The pixels of a request body: JSON, a raw PNG/JPEG, or a multipart form field ``image``; a body
    that does not arrive whole within ``timeout_s`` is refused (408)."""
    kind = request.headers.get("content-type", "").split(";")[0].strip().lower()
    try:
        body = await asyncio.wait_for(_read_body(request, limit), timeout_s)
    except asyncio.TimeoutError:
        raise BadInput(408, f"the body did not arrive within {timeout_s:g} s") from None
    if not body:
        raise BadInput(400, "the request has no body: send a 28x28 PNG or JPEG, or JSON pixels")
    if kind == "application/json":
        return json_pixels(bytes(body))
    if kind in ("image/png", "image/jpeg"):
        return image_pixels(bytes(body), declared=kind)
    if kind == "multipart/form-data":
        from starlette.datastructures import UploadFile
        from starlette.formparsers import MultiPartException, MultiPartParser

        async def replay():
            yield bytes(body)

        try:
            form = await MultiPartParser(request.headers, replay()).parse()
        except MultiPartException as error:
            raise BadInput(400, f"the form could not be read ({error.message})") from None
        upload = form.get("image")
        if not isinstance(upload, UploadFile):
            raise BadInput(422, 'the form needs a file field named "image"')
        declared = (upload.content_type or "").split(";")[0].strip().lower()
        return image_pixels(await upload.read(), declared=declared if declared in _FORMATS.values() else None)
    raise BadInput(415, f"unsupported content type {kind or 'none'!r}: use image/png, image/jpeg, "
                        "multipart/form-data or application/json")  # fmt: skip


async def _read_body(request, limit: int) -> bytearray:
    body = bytearray()
    async for chunk in request.stream():  # bodies without a content-length are limited too
        body.extend(chunk)
        if len(body) > limit:
            raise BadInput(413, f"the upload is over the limit of {limit:,} bytes")
    return body
