package nl.riec.engine;

import java.lang.reflect.Field;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;

import org.camunda.bpm.engine.BadUserRequestException;
import org.camunda.bpm.engine.impl.TaskQueryImpl;
import org.camunda.bpm.engine.impl.cfg.AbstractProcessEnginePlugin;
import org.camunda.bpm.engine.impl.cfg.ProcessEngineConfigurationImpl;
import org.camunda.bpm.engine.impl.cmd.AbstractExecuteFilterCmd;
import org.camunda.bpm.engine.impl.context.Context;
import org.camunda.bpm.engine.impl.interceptor.Command;
import org.camunda.bpm.engine.impl.interceptor.CommandInterceptor;
import org.camunda.bpm.engine.impl.persistence.entity.FilterEntity;
import org.springframework.stereotype.Component;

/**
 * Closes CVE-2026-109432 inside the engine: an expression in an or-query of a task query
 * (e.g. {@code {"orQueries":[{"assigneeExpression":"${...}"}]}}) is evaluated although the
 * same key at the top level is refused ("Expressions are forbidden in adhoc queries").
 * Cause in 7.24.0: {@code QueryValidators.AdhocQueryValidator} checks only the query's own
 * expressions, {@code TaskQueryDto.applyFilters} builds each or-query with
 * {@code new TaskQueryImpl()} (no validator), stored filters and the extending query of a
 * filter execution carry their or-queries unchecked, and
 * {@code TaskQueryImpl.ensureOrExpressionsEvaluated} evaluates them.
 *
 * <p>A command interceptor placed after the command context is opened, so every entry point
 * passes it: a task query is itself the command ({@code AbstractQuery.list/count} run
 * {@code commandExecutor.execute(this)}: REST /task, /task/count, the webapps' copy of the API,
 * the Java API), and a filter execution is an {@code AbstractExecuteFilterCmd} (list, page,
 * count, single result) whose stored query and extending query are both checked.
 *
 * <p>Rule: an or-query may hold no expression except {@link #ALLOWED}, the two argument-free
 * functions Tasklist's own filter dialog writes ("match any" with the current user or groups).
 * Expressions at the top level stay under the engine's own rules (refused in ad-hoc queries,
 * allowed in stored filters, which only administrators may create or change).
 */
@Component
public class OrQueryExpressionGuard extends AbstractProcessEnginePlugin {

  static final Set<String> ALLOWED = Set.of("${currentUser()}", "${currentUserGroups()}");

  @Override
  public void preInit(ProcessEngineConfigurationImpl configuration) {
    List<CommandInterceptor> post = new ArrayList<>();
    if (configuration.getCustomPostCommandInterceptorsTxRequired() != null) {
      post.addAll(configuration.getCustomPostCommandInterceptorsTxRequired());
    }
    post.add(new Interceptor());
    configuration.setCustomPostCommandInterceptorsTxRequired(post);
  }

  static class Interceptor extends CommandInterceptor {
    private static final Field FILTER_ID = field("filterId");
    private static final Field EXTENDING_QUERY = field("extendingQuery");

    @Override
    public <T> T execute(Command<T> command) {
      if (command instanceof TaskQueryImpl query) {
        check(query, "task query");
      } else if (command instanceof AbstractExecuteFilterCmd filterCommand) {
        if (read(EXTENDING_QUERY, filterCommand) instanceof TaskQueryImpl extending) {
          check(extending, "extending query");
        }
        String filterId = (String) read(FILTER_ID, filterCommand);
        if (filterId != null) {
          // The same lookup the command makes next (with its READ check); the entity stays cached.
          FilterEntity filter = Context.getCommandContext().getFilterManager().findFilterById(filterId);
          if (filter != null && filter.getQuery() instanceof TaskQueryImpl stored) {
            check(stored, "stored filter " + filterId);
          }
        }
      }
      return next.execute(command);
    }

    static void check(TaskQueryImpl query, String where) {
      List<TaskQueryImpl> queries = query.getQueries();
      for (int i = 1; i < queries.size(); i++) { // index 0 is the query itself
        for (Map.Entry<String, String> expression : queries.get(i).getExpressions().entrySet()) {
          if (!ALLOWED.contains(expression.getValue().replaceAll("\\s", ""))) {
            throw new BadUserRequestException("Expressions are forbidden in or-queries (" + expression.getKey()
                + " in or-query " + i + " of the " + where + "); refused by the RIEC or-query expression guard"
                + " (CVE-2026-109432). Allowed there: " + String.join(", ", ALLOWED.stream().sorted().toList()) + ".");
          }
        }
      }
    }

    private static Field field(String name) {
      try {
        Field field = AbstractExecuteFilterCmd.class.getDeclaredField(name);
        field.setAccessible(true);
        return field;
      } catch (NoSuchFieldException e) {
        // Fail at start-up, not open: a Camunda upgrade that renames the field must be noticed.
        throw new IllegalStateException("AbstractExecuteFilterCmd." + name + " not found; review OrQueryExpressionGuard", e);
      }
    }

    private static Object read(Field field, Object target) {
      try {
        return field.get(target);
      } catch (IllegalAccessException e) {
        throw new IllegalStateException(e);
      }
    }
  }
}
