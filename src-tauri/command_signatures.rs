//! How a command looks from TypeScript: its argument, event and result types, read from
//! the command function's own signature (the shape `command_list` describes), and the
//! TypeScript types those name, so the generated bindings (`ui/src/lib/bindings/`) cannot
//! drift from what the commands accept.

use serde::Serialize;
use studio::error::AppError;
use tauri::ipc::Channel;
use tauri::AppHandle;
use ts_rs::TS;

/// One command as the TypeScript side sees it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CommandSignature {
    pub name: &'static str,
    /// The TypeScript type of `args`, or `None` for a command without arguments.
    pub args: Option<String>,
    /// The TypeScript type of the events on `channel`, for commands that stream.
    pub channel: Option<String>,
    pub result: String,
    /// Types the signature names, for imports.
    pub imports: Vec<String>,
}

pub(crate) trait Command<Marker> {
    fn signature(name: &'static str, cfg: &ts_rs::Config) -> CommandSignature;
    /// Writes the types of [`Command::signature`] (and those they name) into `cfg`'s
    /// folder, with [`AppError`], the error every command returns.
    fn export_types(cfg: &ts_rs::Config) -> Result<(), ts_rs::ExportError>;
}

pub(crate) struct NoArgs;
pub(crate) struct OneArg<A>(std::marker::PhantomData<A>);
pub(crate) struct OnlyChannel<E>(std::marker::PhantomData<E>);
pub(crate) struct ArgAndChannel<A, E>(std::marker::PhantomData<(A, E)>);

impl<F, Fut, T> Command<NoArgs> for F
where
    F: Fn(AppHandle) -> Fut,
    Fut: std::future::Future<Output = Result<T, AppError>>,
    T: TS + 'static,
{
    fn signature(name: &'static str, cfg: &ts_rs::Config) -> CommandSignature {
        CommandSignature {
            name,
            args: None,
            channel: None,
            result: T::name(cfg),
            imports: imports_of::<T>(cfg),
        }
    }

    fn export_types(cfg: &ts_rs::Config) -> Result<(), ts_rs::ExportError> {
        export_all_of::<T>(cfg)?;
        AppError::export_all(cfg)
    }
}

impl<F, Fut, A, T> Command<OneArg<A>> for F
where
    F: Fn(AppHandle, A) -> Fut,
    Fut: std::future::Future<Output = Result<T, AppError>>,
    A: TS + 'static,
    T: TS + 'static,
{
    fn signature(name: &'static str, cfg: &ts_rs::Config) -> CommandSignature {
        CommandSignature {
            name,
            args: Some(A::name(cfg)),
            channel: None,
            result: T::name(cfg),
            imports: [imports_of::<A>(cfg), imports_of::<T>(cfg)].concat(),
        }
    }

    fn export_types(cfg: &ts_rs::Config) -> Result<(), ts_rs::ExportError> {
        export_all_of::<A>(cfg)?;
        export_all_of::<T>(cfg)?;
        AppError::export_all(cfg)
    }
}

impl<F, Fut, E, T> Command<OnlyChannel<E>> for F
where
    F: Fn(AppHandle, Channel<E>) -> Fut,
    Fut: std::future::Future<Output = Result<T, AppError>>,
    E: TS + Serialize + Clone + 'static,
    T: TS + 'static,
{
    fn signature(name: &'static str, cfg: &ts_rs::Config) -> CommandSignature {
        CommandSignature {
            name,
            args: None,
            channel: Some(E::name(cfg)),
            result: T::name(cfg),
            imports: [imports_of::<E>(cfg), imports_of::<T>(cfg)].concat(),
        }
    }

    fn export_types(cfg: &ts_rs::Config) -> Result<(), ts_rs::ExportError> {
        export_all_of::<E>(cfg)?;
        export_all_of::<T>(cfg)?;
        AppError::export_all(cfg)
    }
}

impl<F, Fut, A, E, T> Command<ArgAndChannel<A, E>> for F
where
    F: Fn(AppHandle, A, Channel<E>) -> Fut,
    Fut: std::future::Future<Output = Result<T, AppError>>,
    A: TS + 'static,
    E: TS + Serialize + Clone + 'static,
    T: TS + 'static,
{
    fn signature(name: &'static str, cfg: &ts_rs::Config) -> CommandSignature {
        CommandSignature {
            name,
            args: Some(A::name(cfg)),
            channel: Some(E::name(cfg)),
            result: T::name(cfg),
            imports: [
                imports_of::<A>(cfg),
                imports_of::<E>(cfg),
                imports_of::<T>(cfg),
            ]
            .concat(),
        }
    }

    fn export_types(cfg: &ts_rs::Config) -> Result<(), ts_rs::ExportError> {
        export_all_of::<A>(cfg)?;
        export_all_of::<E>(cfg)?;
        export_all_of::<T>(cfg)?;
        AppError::export_all(cfg)
    }
}

/// The generated types a signature must import: the type itself when it is exported, or
/// the exported types it wraps (`Array<PickedFile>` imports `PickedFile`).
fn imports_of<T: TS + 'static>(cfg: &ts_rs::Config) -> Vec<String> {
    if let Some(own) = ts_rs::Dependency::from_ty::<T>(cfg) {
        return vec![own.ts_name];
    }
    struct Generics<'a>(&'a ts_rs::Config, Vec<String>);
    impl ts_rs::TypeVisitor for Generics<'_> {
        fn visit<U: TS + 'static + ?Sized>(&mut self) {
            if let Some(dep) = ts_rs::Dependency::from_ty::<U>(self.0) {
                self.1.push(dep.ts_name);
            }
        }
    }
    let mut generics = Generics(cfg, Vec::new());
    T::visit_generics(&mut generics);
    generics.1
}

/// Exports `T` with every type it names; for a type that is not generated itself (a
/// `Vec`, an `Option`, `()`), the generated types it wraps, as [`imports_of`] imports them.
fn export_all_of<T: TS + 'static>(cfg: &ts_rs::Config) -> Result<(), ts_rs::ExportError> {
    if T::output_path().is_some() {
        return T::export_all(cfg);
    }
    struct Generics<'a>(&'a ts_rs::Config, Result<(), ts_rs::ExportError>);
    impl ts_rs::TypeVisitor for Generics<'_> {
        fn visit<U: TS + 'static + ?Sized>(&mut self) {
            if self.1.is_ok() && U::output_path().is_some() {
                self.1 = U::export_all(self.0);
            }
        }
    }
    let mut generics = Generics(cfg, Ok(()));
    T::visit_generics(&mut generics);
    generics.1
}

pub(crate) fn signature_of<M, F: Command<M>>(
    name: &'static str,
    _command: F,
    cfg: &ts_rs::Config,
) -> CommandSignature {
    F::signature(name, cfg)
}

pub(crate) fn export_types_of<M, F: Command<M>>(
    _command: F,
    cfg: &ts_rs::Config,
) -> Result<(), ts_rs::ExportError> {
    F::export_types(cfg)
}
