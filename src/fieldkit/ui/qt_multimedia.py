"""QtMultimedia, kept apart from ``ui.qt``: it is optional (the ``camera`` extra, from the
PySide6-Addons wheel) and loads PulseAudio and FFmpeg, so only ``ui.camera`` imports it, and
only when a job asks for a photo."""

from PySide6.QtMultimedia import (
    QCamera,
    QCameraDevice,
    QCameraFormat,
    QMediaCaptureSession,
    QMediaDevices,
    QVideoFrame,
    QVideoSink,
)

__all__ = [
    "QCamera",
    "QCameraDevice",
    "QCameraFormat",
    "QMediaCaptureSession",
    "QMediaDevices",
    "QVideoFrame",
    "QVideoSink",
]
