pub mod log_file_validation;
pub mod multi_region_trail_logging;
