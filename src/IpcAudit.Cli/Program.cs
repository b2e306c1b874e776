using IpcAudit.Cli;

return CommandTree.Run(args, CliConsole.System());
