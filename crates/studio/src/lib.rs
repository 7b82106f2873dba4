//! The core of CyberBara Studio, without Tauri: everything the desktop app does that is
//! not drawing a window — profiles and keys, the built-in Sandbox, the library database
//! and folder, uploads, the task tracker, downloads, thumbnails and the loopback media
//! server. The Tauri shell (`src-tauri/`) turns most commands into calls on
//! [`services::Studio`] and the gallery's [`gallery_workers::Gallery`], keeping for itself only
//! what needs a window (file pickers and save dialogs, drops, the clipboard, notifications, opening links); tests drive
//! the same calls without linking WebKit.
//!
//! - Who the app talks to: [`profiles`] (names, base URLs, key hints in `profiles.json`),
//!   [`keychain`] (the only place keys live; re-probed by "Try again", never hanging),
//!   [`sandbox_supervisor`] (the built-in Sandbox, which always starts) and
//!   [`connections`] (one API client per profile).
//! - What the app remembers: [`library`], one SQLite database with tasks and their
//!   history, remembered uploads, cached model lists, drafts and recent prompts.
//! - The Create page: [`catalogues`] (each deployment's models) drawn as [`forms`],
//!   the [`compose`] draft checked by the catalogue, [`references`] uploaded once per
//!   content hash, previews made by [`thumbnails`] and served by [`media_server`].
//! - Following tasks: [`tracker`], which records every change before announcing it.
//! - What the app made: [`downloads`] puts every output in the [`library_folder`]
//!   (resumed, checked, named by task), [`thumbnail_queue`] makes the gallery's previews,
//!   [`gallery_workers`] runs those parts and sends deleted files to the OS trash, and
//!   [`exports`] saves copies where the user asks.
//! - Where the credits went: [`usage`], the usage history read in full per range, cached
//!   in the library, exported as CSV, and used to import tasks the app does not know.
//!
//! Errors leave as [`error::AppError`] `{kind, code, message, detail}`: the message is a
//! sentence a person can act on.

pub mod catalogues;
pub mod compose;
pub mod connections;
pub mod downloads;
pub mod error;
pub mod exports;
pub mod forms;
pub mod gallery_workers;
pub mod keychain;
pub mod library;
pub mod library_folder;
pub mod media_server;
pub mod presets;
pub mod profiles;
pub mod references;
pub mod sandbox_supervisor;
pub mod seed;
pub mod services;
pub mod thumbnail_queue;
pub mod thumbnails;
pub mod tracker;
pub mod usage;
