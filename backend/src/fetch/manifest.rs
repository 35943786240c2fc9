//! The record of a fetch, `manifest.json` in the fetch directory: every page that was
//! downloaded (its address, when, its size and SHA-256) and every file written for the
//! importers. It is what makes a fetch resumable: a page already in the manifest whose file
//! still has its checksum is read from disk instead of being downloaded again.

use super::FetchError;
use super::http::Http;
use serde::{Deserialize, Serialize};
use sha2::{Digest, Sha256};
use std::path::{Path, PathBuf};

const FILE: &str = "manifest.json";

#[derive(Debug, Clone, Default, Serialize, Deserialize)]
pub struct Manifest {
    pub gemeente: String,
    /// Downloaded pages, in the order they were first fetched.
    pub payloads: Vec<Payload>,
    /// Files written for the importers by the last run that got that far.
    #[serde(default)]
    pub outputs: Vec<Output>,
}

/// One downloaded page.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct Payload {
    pub url: String,
    /// Relative to the fetch directory.
    pub file: String,
    pub fetched_at: String,
    pub bytes: u64,
    pub sha256: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub content_crs: Option<String>,
}

/// One file written for an importer.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct Output {
    pub kind: String,
    pub file: String,
    pub rows: usize,
    pub written_at: String,
    pub bytes: u64,
    pub sha256: String,
}

/// A page's content, downloaded now or read back from an earlier run.
#[derive(Debug)]
pub struct Page {
    pub url: String,
    pub body: Vec<u8>,
    pub content_crs: Option<String>,
}

/// Downloads through the manifest.
pub struct Cache {
    dir: PathBuf,
    manifest: Manifest,
    http: Http,
    refetch: bool,
    /// Pages downloaded by this run, and pages read back from an earlier one.
    pub downloaded: usize,
    pub reused: usize,
    /// Sentences for the user (pages whose file no longer matched its checksum).
    pub notes: Vec<String>,
}

pub fn sha256_hex(bytes: &[u8]) -> String {
    Sha256::digest(bytes)
        .iter()
        .map(|b| format!("{b:02x}"))
        .collect()
}

pub fn manifest_path(dir: &Path) -> PathBuf {
    dir.join(FILE)
}

fn io_error(path: &Path, e: std::io::Error, fix: &str) -> FetchError {
    FetchError::File {
        path: path.to_path_buf(),
        problem: e.to_string(),
        fix: fix.into(),
    }
}

/// Writes `bytes` to `path` through a temporary file, so a killed run never leaves half a file.
pub fn write_atomically(path: &Path, bytes: &[u8]) -> Result<(), FetchError> {
    let tmp = path.with_extension("part");
    std::fs::write(&tmp, bytes)
        .and_then(|()| std::fs::rename(&tmp, path))
        .map_err(|e| {
            io_error(
                path,
                e,
                "check that the fetch directory is writable (--dir)",
            )
        })
}

impl Cache {
    /// Opens (or starts) the manifest of `dir`.
    pub fn open(
        dir: &Path,
        gemeente: &str,
        http: Http,
        refetch: bool,
    ) -> Result<Cache, FetchError> {
        std::fs::create_dir_all(dir.join("raw"))
            .map_err(|e| io_error(dir, e, "choose a directory you can write to with --dir"))?;
        let path = manifest_path(dir);
        let manifest = match std::fs::read(&path) {
            Ok(bytes) if !refetch => {
                let m: Manifest = serde_json::from_slice(&bytes).map_err(|e| FetchError::File {
                    path: path.clone(),
                    problem: format!("the manifest does not parse ({e})"),
                    fix: "delete it (the pages are then fetched again) or use --refetch".into(),
                })?;
                if m.gemeente != gemeente {
                    return Err(FetchError::File {
                        path,
                        problem: format!(
                            "this directory holds a fetch of {}, not {gemeente}",
                            m.gemeente
                        ),
                        fix: "use another --dir for another gemeente".into(),
                    });
                }
                m
            }
            Ok(_) => Manifest {
                gemeente: gemeente.to_string(),
                ..Manifest::default()
            },
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => Manifest {
                gemeente: gemeente.to_string(),
                ..Manifest::default()
            },
            Err(e) => return Err(io_error(&path, e, "check the permissions of --dir")),
        };
        Ok(Cache {
            dir: dir.to_path_buf(),
            manifest,
            http,
            refetch,
            downloaded: 0,
            reused: 0,
            notes: Vec::new(),
        })
    }

    pub fn dir(&self) -> &Path {
        &self.dir
    }

    pub fn manifest(&self) -> &Manifest {
        &self.manifest
    }

    /// The page at `url`, from the manifest when it has it intact, else downloaded and
    /// recorded as `raw/{name}.json`. `Ok(None)` is a 404.
    pub async fn get(&mut self, url: &str, name: &str) -> Result<Option<Page>, FetchError> {
        if !self.refetch
            && let Some(p) = self.manifest.payloads.iter().find(|p| p.url == url)
        {
            let path = self.dir.join(&p.file);
            match std::fs::read(&path) {
                Ok(body) if sha256_hex(&body) == p.sha256 => {
                    self.reused += 1;
                    return Ok(Some(Page {
                        url: url.to_string(),
                        body,
                        content_crs: p.content_crs.clone(),
                    }));
                }
                Ok(_) => self.notes.push(format!(
                    "{} no longer matches its SHA-256 in the manifest; it was fetched again",
                    p.file
                )),
                Err(_) => self.notes.push(format!(
                    "{} is listed in the manifest but missing; it was fetched again",
                    p.file
                )),
            }
        }
        let Some(answer) = self.http.get(url).await? else {
            return Ok(None);
        };
        let file = format!("raw/{name}.json");
        write_atomically(&self.dir.join(&file), &answer.body)?;
        let payload = Payload {
            url: url.to_string(),
            file,
            fetched_at: crate::store::now(),
            bytes: answer.body.len() as u64,
            sha256: sha256_hex(&answer.body),
            content_crs: answer.content_crs.clone(),
        };
        self.manifest.payloads.retain(|p| p.url != url);
        self.manifest.payloads.push(payload);
        self.save()?;
        self.downloaded += 1;
        Ok(Some(Page {
            url: url.to_string(),
            body: answer.body,
            content_crs: answer.content_crs,
        }))
    }

    /// Page `page_no` (1-based) of a paged answer, following its `field` links: `Ok(None)`
    /// when the first page is a 404 (what that means is the caller's to say); a 404 on a
    /// later page, or a link back to a page already read, stops the fetch.
    pub async fn page(
        &mut self,
        url: &str,
        name: &str,
        page_no: usize,
        seen: &mut std::collections::HashSet<String>,
        field: &str,
    ) -> Result<Option<Page>, FetchError> {
        if !seen.insert(url.to_string()) {
            return Err(FetchError::Payload {
                url: url.to_string(),
                field: field.into(),
                problem: "the next link points back to a page already read".into(),
                fix: "the server's paging is broken; try again later".into(),
            });
        }
        match self.get(url, &format!("{name}-p{page_no:03}")).await? {
            Some(page) => Ok(Some(page)),
            None if page_no == 1 => Ok(None),
            None => Err(FetchError::Payload {
                url: url.to_string(),
                field: field.into(),
                problem: format!("page {page_no} answered 404"),
                fix: "rerun with --refetch to page through the answer again from its first page"
                    .into(),
            }),
        }
    }

    /// Writes a file for an importer and records it.
    pub fn write_output(
        &mut self,
        kind: &str,
        name: &str,
        bytes: &[u8],
        rows: usize,
    ) -> Result<PathBuf, FetchError> {
        let dir = self.dir.join("import");
        std::fs::create_dir_all(&dir)
            .map_err(|e| io_error(&dir, e, "check the permissions of --dir"))?;
        let path = dir.join(name);
        write_atomically(&path, bytes)?;
        let file = format!("import/{name}");
        self.manifest.outputs.retain(|o| o.file != file);
        self.manifest.outputs.push(Output {
            kind: kind.to_string(),
            file,
            rows,
            written_at: crate::store::now(),
            bytes: bytes.len() as u64,
            sha256: sha256_hex(bytes),
        });
        self.save()?;
        Ok(path)
    }

    /// Forgets the outputs of an earlier run (before this run writes its own).
    pub fn clear_outputs(&mut self) -> Result<(), FetchError> {
        self.manifest.outputs.clear();
        self.save()
    }

    fn save(&self) -> Result<(), FetchError> {
        let json = serde_json::to_vec_pretty(&self.manifest).map_err(|e| FetchError::File {
            path: manifest_path(&self.dir),
            problem: format!("cannot serialise the manifest ({e})"),
            fix: "report this as a bug".into(),
        })?;
        write_atomically(&manifest_path(&self.dir), &json)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn sha256_of_abc_is_the_known_digest() {
        assert_eq!(
            sha256_hex(b"abc"),
            "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad"
        );
    }

    #[test]
    fn a_manifest_of_another_gemeente_is_refused_and_a_broken_one_named() {
        let dir = tempfile::tempdir().unwrap();
        let http = Http::new(Default::default(), String::new()).unwrap();
        let cache = Cache::open(dir.path(), "GM0141", http.clone(), false).unwrap();
        cache.save().unwrap();
        let err = Cache::open(dir.path(), "GM0363", http.clone(), false)
            .err()
            .unwrap()
            .to_string();
        assert!(err.contains("GM0141") && err.contains("--dir"), "{err}");
        std::fs::write(manifest_path(dir.path()), b"{").unwrap();
        let err = Cache::open(dir.path(), "GM0141", http, false)
            .err()
            .unwrap()
            .to_string();
        assert!(
            err.contains("manifest.json") && err.contains("--refetch"),
            "{err}"
        );
    }
}
