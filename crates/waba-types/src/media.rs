//! Media kinds and the formats and sizes WhatsApp accepts for each.

use serde::{Deserialize, Serialize};

use crate::limits;
use crate::validate::{ValidationError, Violation};

/// The kinds of media a message can carry.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum MediaKind {
    /// JPEG or PNG, 5 MB.
    Image,
    /// MP4 or 3GPP, 16 MB.
    Video,
    /// MP3, OGG, AAC, AMR or MP4 audio, 16 MB.
    Audio,
    /// PDF, Office documents or plain text, 100 MB.
    Document,
    /// WebP, 500 KB.
    Sticker,
}

impl MediaKind {
    /// The wire name.
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Image => "image",
            Self::Video => "video",
            Self::Audio => "audio",
            Self::Document => "document",
            Self::Sticker => "sticker",
        }
    }

    /// The MIME types accepted for this kind (seed generic-v2's format table, completed with
    /// the on-prem client's upload list for audio and documents).
    pub fn mime_types(self) -> &'static [&'static str] {
        match self {
            Self::Image => &["image/jpeg", "image/png"],
            Self::Video => &["video/mp4", "video/3gpp"],
            Self::Audio => &[
                "audio/mpeg",
                "audio/ogg",
                "audio/aac",
                "audio/amr",
                "audio/mp4",
            ],
            Self::Document => &[
                "application/pdf",
                "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
                "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
                "application/vnd.openxmlformats-officedocument.presentationml.presentation",
                "application/msword",
                "application/vnd.ms-excel",
                "application/vnd.ms-powerpoint",
                "text/plain",
            ],
            Self::Sticker => &["image/webp"],
        }
    }

    /// The largest file accepted, in bytes.
    pub fn max_bytes(self) -> u64 {
        match self {
            Self::Image => limits::IMAGE_BYTES_MAX,
            Self::Video => limits::VIDEO_BYTES_MAX,
            Self::Audio => limits::AUDIO_BYTES_MAX,
            Self::Document => limits::DOCUMENT_BYTES_MAX,
            Self::Sticker => limits::STICKER_BYTES_MAX,
        }
    }

    /// Checks a file's MIME type and size against this kind's limits. Parameters after `;`
    /// (`audio/ogg; codecs=opus`) and ASCII case are ignored.
    pub fn check(self, mime_type: &str, len: u64) -> Result<(), ValidationError> {
        let essence = mime_type.split(';').next().unwrap_or("").trim();
        if !self
            .mime_types()
            .iter()
            .any(|m| m.eq_ignore_ascii_case(essence))
        {
            return Err(ValidationError::new(
                "mime_type",
                Violation::UnsupportedMimeType {
                    mime_type: mime_type.to_owned(),
                    kind: self,
                },
            ));
        }
        if len > self.max_bytes() {
            return Err(ValidationError::new(
                "data",
                Violation::TooLarge {
                    bytes: len,
                    max: self.max_bytes(),
                },
            ));
        }
        Ok(())
    }
}

impl std::fmt::Display for MediaKind {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.as_str())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn image_is_jpeg_or_png_up_to_5_mib() {
        assert!(
            MediaKind::Image
                .check("image/jpeg", 5 * 1024 * 1024)
                .is_ok()
        );
        assert!(MediaKind::Image.check("IMAGE/PNG", 10).is_ok());
        let err = MediaKind::Image
            .check("image/jpeg", 5 * 1024 * 1024 + 1)
            .unwrap_err();
        assert_eq!(
            err.to_string(),
            "data: 5242881 bytes, the limit is 5242880 bytes"
        );
        let err = MediaKind::Image.check("audio/mpeg", 10).unwrap_err();
        assert!(
            err.to_string()
                .contains("audio/mpeg is not accepted for image"),
            "{err}"
        );
    }

    #[test]
    fn video_audio_document_sizes() {
        assert!(
            MediaKind::Video
                .check("video/3gpp", 16 * 1024 * 1024)
                .is_ok()
        );
        assert!(
            MediaKind::Video
                .check("video/mp4", 16 * 1024 * 1024 + 1)
                .is_err()
        );
        assert!(
            MediaKind::Audio
                .check("audio/ogg; codecs=opus", 16 * 1024 * 1024)
                .is_ok()
        );
        assert!(
            MediaKind::Audio
                .check("audio/mpeg", 16 * 1024 * 1024 + 1)
                .is_err()
        );
        assert!(
            MediaKind::Document
                .check("application/pdf", 100 * 1024 * 1024)
                .is_ok()
        );
        assert!(
            MediaKind::Document
                .check("application/pdf", 100 * 1024 * 1024 + 1)
                .is_err()
        );
        assert!(MediaKind::Document.check("image/png", 1).is_err());
        assert!(
            MediaKind::Sticker
                .check("image/webp", 500 * 1024 + 1)
                .is_err()
        );
    }
}
