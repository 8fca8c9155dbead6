//! From a parsed record to a read draft with every field a stored read
//! needs (R1.2), filling what the format left to per-camera configuration.

use crate::{ParsedRead, PhotoData, codes};
use sightline_core::purpose::Violation;
use sightline_core::read::VehicleAttributes;
use sightline_core::text::read_text::{PlaceText, SourceReadId};
use sightline_core::{GeoPoint, Jurisdiction, Plate};
use time::OffsetDateTime;

/// Where a fixed camera stands, as configured for it: used for reads whose
/// format carries no place (OpenALPR) or that leave it out.
#[derive(Debug, Clone, PartialEq)]
pub struct CameraSite {
    pub location: GeoPoint,
    pub nearest_address: PlaceText,
    pub nearest_intersection: PlaceText,
}

/// A read with every field R1.2 requires. Photos are still as the input
/// carried them: the caller resolves `Part` / `Path`, checks the bytes with
/// [`crate::check_photo`], stores them as blobs and builds the
/// `sightline_core::NewRead`.
#[derive(Debug, Clone, PartialEq)]
pub struct ReadDraft {
    pub source_read_id: SourceReadId,
    pub plate: Plate,
    pub jurisdiction: Jurisdiction,
    pub captured_at: OffsetDateTime,
    pub location: GeoPoint,
    pub nearest_address: PlaceText,
    pub nearest_intersection: PlaceText,
    /// Carried through from [`ParsedRead::camera_id`].
    pub camera_id: Option<String>,
    pub vehicle_photo: PhotoData,
    pub plate_photo: PhotoData,
    /// Carried through from [`ParsedRead::vehicle`].
    pub vehicle: Option<VehicleAttributes>,
}

/// Fills what the format left to per-camera configuration and insists on
/// every field a stored read needs. A field the record carries wins over the
/// camera's configuration.
///
/// Codes, all reported together: `location_required`,
/// `nearest_address_required`, `nearest_intersection_required`,
/// `vehicle_photo_required`, `plate_photo_required`.
pub fn complete(
    read: ParsedRead,
    camera: Option<&CameraSite>,
) -> Result<ReadDraft, Vec<Violation>> {
    let mut errs = Vec::new();
    // Tells the source where else the value could have come from.
    let hint = match (&read.camera_id, camera) {
        (_, Some(_)) => "",
        (Some(_), None) => ", or configure the site of this camera",
        (None, None) => ", or send camera_id for a camera whose site is configured",
    };

    let location = read.location.or(camera.map(|c| c.location));
    if location.is_none() {
        errs.push(
            Violation::new(
                codes::LOCATION_REQUIRED,
                "location",
                format!("GPS coordinates are required: send location{hint}"),
            )
            .accepting(r#"{"lat": 39.95, "lon": -75.16}"#),
        );
    }
    let nearest_address = read
        .nearest_address
        .or_else(|| camera.map(|c| c.nearest_address.clone()));
    if nearest_address.is_none() {
        errs.push(Violation::new(
            codes::NEAREST_ADDRESS_REQUIRED,
            "nearest_address",
            format!("the nearest address is required: send nearest_address{hint}"),
        ));
    }
    let nearest_intersection = read
        .nearest_intersection
        .or_else(|| camera.map(|c| c.nearest_intersection.clone()));
    if nearest_intersection.is_none() {
        errs.push(Violation::new(
            codes::NEAREST_INTERSECTION_REQUIRED,
            "nearest_intersection",
            format!("the nearest intersection is required: send nearest_intersection{hint}"),
        ));
    }
    if read.vehicle_photo.is_none() {
        errs.push(
            Violation::new(
                codes::VEHICLE_PHOTO_REQUIRED,
                "vehicle_photo",
                "a photograph of the vehicle is required",
            )
            .accepting("a PNG, JPEG or WebP image, inline (base64) or as a multipart part"),
        );
    }
    if read.plate_photo.is_none() {
        errs.push(
            Violation::new(
                codes::PLATE_PHOTO_REQUIRED,
                "plate_photo",
                "a close-up photograph of the plate is required",
            )
            .accepting("a PNG, JPEG or WebP image, inline (base64) or as a multipart part"),
        );
    }

    match (
        location,
        nearest_address,
        nearest_intersection,
        read.vehicle_photo,
        read.plate_photo,
    ) {
        (
            Some(location),
            Some(nearest_address),
            Some(nearest_intersection),
            Some(vehicle_photo),
            Some(plate_photo),
        ) => Ok(ReadDraft {
            source_read_id: read.source_read_id,
            plate: read.plate,
            jurisdiction: read.jurisdiction,
            captured_at: read.captured_at,
            location,
            nearest_address,
            nearest_intersection,
            camera_id: read.camera_id,
            vehicle_photo,
            plate_photo,
            vehicle: read.vehicle,
        }),
        _ => Err(errs),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use time::macros::datetime;

    fn bare() -> ParsedRead {
        ParsedRead {
            source_read_id: SourceReadId::parse("r1").unwrap(),
            plate: Plate::parse("ABC123").unwrap(),
            jurisdiction: Jurisdiction::parse("PA").unwrap(),
            captured_at: datetime!(2026-11-20 12:00 UTC),
            location: None,
            nearest_address: None,
            nearest_intersection: None,
            camera_id: Some("site/7".into()),
            vehicle_photo: None,
            plate_photo: None,
            vehicle: None,
        }
    }

    fn site() -> CameraSite {
        CameraSite {
            location: GeoPoint::new(40.0, -75.0).unwrap(),
            nearest_address: PlaceText::parse("1 Camera Rd").unwrap(),
            nearest_intersection: PlaceText::parse("Camera Rd & Main St").unwrap(),
        }
    }

    #[test]
    fn everything_missing_is_reported_at_once() {
        let errs = complete(bare(), None).unwrap_err();
        let codes: Vec<_> = errs.iter().map(|e| e.code.as_str()).collect();
        assert_eq!(
            codes,
            [
                "location_required",
                "nearest_address_required",
                "nearest_intersection_required",
                "vehicle_photo_required",
                "plate_photo_required"
            ]
        );
        assert!(
            errs[0].message.contains("configure the site"),
            "{}",
            errs[0].message
        );
    }

    #[test]
    fn camera_site_fills_the_place_but_not_photos() {
        let errs = complete(bare(), Some(&site())).unwrap_err();
        let codes: Vec<_> = errs.iter().map(|e| e.code.as_str()).collect();
        assert_eq!(codes, ["vehicle_photo_required", "plate_photo_required"]);

        let mut r = bare();
        r.vehicle_photo = Some(PhotoData::Part("v".into()));
        r.plate_photo = Some(PhotoData::Part("p".into()));
        let d = complete(r, Some(&site())).unwrap();
        assert_eq!(d.location, site().location);
        assert_eq!(d.nearest_address.as_str(), "1 Camera Rd");
        assert_eq!(d.camera_id.as_deref(), Some("site/7"));
    }

    #[test]
    fn record_fields_win_over_the_camera() {
        let mut r = bare();
        r.location = Some(GeoPoint::new(1.0, 2.0).unwrap());
        r.nearest_address = Some(PlaceText::parse("On the record").unwrap());
        r.vehicle_photo = Some(PhotoData::Inline(vec![1]));
        r.plate_photo = Some(PhotoData::Path("p.jpg".into()));
        let d = complete(r, Some(&site())).unwrap();
        assert_eq!(d.location, GeoPoint::new(1.0, 2.0).unwrap());
        assert_eq!(d.nearest_address.as_str(), "On the record");
        assert_eq!(d.nearest_intersection.as_str(), "Camera Rd & Main St");
        assert_eq!(d.plate_photo, PhotoData::Path("p.jpg".into()));
    }
}
