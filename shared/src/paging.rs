//! Page-number paging (DESIGN §2): `page` from 1, `page_size` 20 by default, at most 100.

use serde::Serialize;

use crate::error::{Error, FieldErrors};
use crate::messages::Msg;

pub const DEFAULT_PAGE_SIZE: u64 = 20;
pub const MAX_PAGE_SIZE: u64 = 100;

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct PageRequest {
    pub page: u64,
    pub page_size: u64,
}

impl PageRequest {
    /// Reads `page` and `page_size` from their query-string texts.
    pub fn parse(page: Option<&str>, page_size: Option<&str>) -> Result<PageRequest, Error> {
        let mut errors = FieldErrors::new();
        let mut read = |name: &str, text: Option<&str>, default: u64, max: u64| match text.map(str::trim) {
            None | Some("") => default,
            Some(text) => match text.parse::<u64>() {
                Ok(n) if (1..=max).contains(&n) => n,
                Ok(_) => {
                    errors.add(name, Msg::OutOfRange { min: 1, max });
                    default
                }
                Err(_) => {
                    errors.add(name, Msg::MustBeInteger);
                    default
                }
            },
        };
        let page = read("page", page, 1, u64::from(u32::MAX));
        let page_size = read("page_size", page_size, DEFAULT_PAGE_SIZE, MAX_PAGE_SIZE);
        if errors.is_empty() { Ok(PageRequest { page, page_size }) } else { Err(Error::Invalid(errors)) }
    }

    /// The requested page of an ordered list.
    pub fn slice<T>(self, all: Vec<T>) -> Page<T> {
        let total = all.len() as u64;
        let start = ((self.page - 1) * self.page_size).min(total) as usize;
        let items: Vec<T> = all.into_iter().skip(start).take(self.page_size as usize).collect();
        self.with_total(items, total)
    }

    /// A page whose items were already cut from a list of `total`.
    pub fn with_total<T>(self, items: Vec<T>, total: u64) -> Page<T> {
        let total_pages = total.div_ceil(self.page_size);
        Page {
            items,
            pagination: Pagination {
                page: self.page,
                page_size: self.page_size,
                total,
                total_pages,
                has_next: self.page < total_pages,
                has_previous: self.page > 1,
            },
        }
    }
}

#[derive(Debug, Clone, Copy, Serialize, PartialEq, Eq)]
pub struct Pagination {
    pub page: u64,
    pub page_size: u64,
    pub total: u64,
    pub total_pages: u64,
    pub has_next: bool,
    pub has_previous: bool,
}

/// `data` of a paged answer: `{items, pagination}`.
#[derive(Debug, Serialize)]
pub struct Page<T> {
    pub items: Vec<T>,
    pub pagination: Pagination,
}

impl<T> Page<T> {
    pub fn map<U>(self, f: impl FnMut(T) -> U) -> Page<U> {
        Page { items: self.items.into_iter().map(f).collect(), pagination: self.pagination }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn pages_and_bounds() {
        let request = PageRequest::parse(Some("2"), Some("2")).unwrap();
        let page = request.slice(vec![1, 2, 3, 4, 5]);
        assert_eq!(page.items, vec![3, 4]);
        assert_eq!((page.pagination.total, page.pagination.total_pages), (5, 3));
        assert!(page.pagination.has_next && page.pagination.has_previous);
        assert_eq!(PageRequest::parse(None, None).unwrap(), PageRequest { page: 1, page_size: 20 });
        assert!(PageRequest::parse(Some("0"), None).is_err());
        assert!(PageRequest::parse(None, Some("101")).is_err());
        assert!(PageRequest::parse(Some("x"), None).is_err());
        assert!(PageRequest::parse(Some("9"), Some("10")).unwrap().slice(vec![1]).items.is_empty());
    }
}
