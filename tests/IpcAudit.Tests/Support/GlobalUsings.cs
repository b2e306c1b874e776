// The model's per-semaphore record shares its name with System.Threading.Semaphore.
global using Semaphore = IpcAudit.Collector.Model.Semaphore;
