namespace IpcAudit.Collector.Model;

/// <summary>One collection step's cost and outcome; a failed step does not sink the snapshot.</summary>
public sealed record CollectionStep(string Name, TimeSpan Duration, bool Succeeded, string? Note = null);
