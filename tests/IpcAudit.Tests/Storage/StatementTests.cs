using IpcAudit.Collector.Model;
using IpcAudit.Store;
using Xunit;

namespace IpcAudit.Tests.Storage;

public class StatementTests
{
    [Fact]
    public void ParameterNamesAreDistinctInOrderOfFirstUse()
    {
        Assert.Equal(["$at", "$object", "$from_2"],
            Statement.ParameterNames("UPDATE t SET valid_to = $at WHERE object_id = $object AND ($from_2 IS NULL OR $at > $from_2)"));
    }

    [Fact]
    public void DollarWithoutANameIsNotAParameter()
    {
        Assert.Equal(["$a"], Statement.ParameterNames("SELECT '$', $1, $a$ FROM t WHERE x = $"));
    }

    [Fact]
    public void ReferencedPidsAreSortedDistinctAndPositive()
    {
        Assert.Equal([3, 7, 42], ReferencedPids.SortedPositiveDistinct([42, 0, 7, 3, 7, -1, 42]));
        Assert.Empty(ReferencedPids.SortedPositiveDistinct([0, 0]));
    }
}
