"""The SOP library: uploading and publishing versions, browsing them, mapping lanes."""
