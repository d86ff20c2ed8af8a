//! The limits WhatsApp and the providers state, each with where it comes from.
//!
//! Seeds are the provider documents the project started from (see `docs/providers/`):
//! generic-v2 (the "WhatsApp Business API v2" document), tujenge, onprem-client and
//! mobile-gateway-wab. Where no seed states a limit, Meta's Cloud API reference does.

/// Text body, in characters. Seeds generic-v2 ("up to 4096 characters") and tujenge.
pub const TEXT_BODY_MAX: usize = 4096;
/// Media caption, in characters. Seed generic-v2 (`/send-media` caption "up to 1024").
pub const CAPTION_MAX: usize = 1024;
/// Template name, in characters. Seed tujenge ("limited to 512 characters").
pub const TEMPLATE_NAME_MAX: usize = 512;
/// Reply buttons per interactive message. Seed generic-v2 ("Buttons … up to 3"); Meta.
pub const REPLY_BUTTONS_MAX: usize = 3;
/// Reply-button title, in characters. Meta's interactive reference.
pub const BUTTON_TITLE_MAX: usize = 20;
/// Reply-button id, in characters. Meta's interactive reference.
pub const BUTTON_ID_MAX: usize = 256;
/// Body of a button or call-to-action message, in characters. Meta.
pub const INTERACTIVE_BODY_MAX: usize = 1024;
/// Body of a list message, in characters. Meta's list-message reference.
pub const LIST_BODY_MAX: usize = 4096;
/// Text header and footer of an interactive message, in characters. Meta.
pub const HEADER_FOOTER_MAX: usize = 60;
/// A text parameter of a template's header, in characters: the header text, parameters
/// filled in, is at most 60 characters. Meta's template reference.
pub const TEMPLATE_HEADER_PARAMETER_MAX: usize = 60;
/// Consecutive spaces allowed in a template text parameter; more, a newline or a tab is
/// refused with code 132018 ("the parameter has a new line, a tab, or more than 4
/// consecutive spaces"). Meta's error reference.
pub const TEMPLATE_PARAMETER_SPACES_MAX: usize = 4;
/// The label of the button that opens a list, in characters. Meta.
pub const LIST_BUTTON_MAX: usize = 20;
/// Sections of a list message. Meta.
pub const LIST_SECTIONS_MAX: usize = 10;
/// Rows of a list message, over all sections. Meta.
pub const LIST_ROWS_MAX: usize = 10;
/// List section title, in characters. Meta.
pub const SECTION_TITLE_MAX: usize = 24;
/// List row id, in characters. Meta.
pub const ROW_ID_MAX: usize = 200;
/// List row title, in characters. Meta.
pub const ROW_TITLE_MAX: usize = 24;
/// List row description, in characters. Meta.
pub const ROW_DESCRIPTION_MAX: usize = 72;
/// Contact cards per message. Seed generic-v2 ("Contacts per list: 256").
pub const CONTACTS_MAX: usize = 256;
/// The caller's reference, in characters (Cloud `biz_opaque_callback_data`). Meta.
pub const CLIENT_REFERENCE_MAX: usize = 512;
/// Latitude range, degrees. Seed tujenge (error 1009, "valid range is from -90 to 90").
pub const LATITUDE: (f64, f64) = (-90.0, 90.0);
/// Longitude range, degrees.
pub const LONGITUDE: (f64, f64) = (-180.0, 180.0);

const MIB: u64 = 1024 * 1024;

/// Image size, bytes. Seed generic-v2 (JPEG, PNG, 5 MB).
pub const IMAGE_BYTES_MAX: u64 = 5 * MIB;
/// Video size, bytes. Seed generic-v2 (MP4, 3GPP, 16 MB).
pub const VIDEO_BYTES_MAX: u64 = 16 * MIB;
/// Audio size, bytes. Seed generic-v2 (MP3, OGG, 16 MB).
pub const AUDIO_BYTES_MAX: u64 = 16 * MIB;
/// Document size, bytes. Seed generic-v2 (PDF, DOCX, XLSX, PPTX, TXT, 100 MB).
pub const DOCUMENT_BYTES_MAX: u64 = 100 * MIB;
/// Sticker size, bytes (animated WebP; static ones are 100 KB). Meta.
pub const STICKER_BYTES_MAX: u64 = 500 * 1024;
