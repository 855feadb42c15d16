pub mod bucket_default_encryption;
