package nl.riec.engine;

import java.util.List;
import java.util.Set;
import org.camunda.bpm.engine.AuthorizationException;
import org.camunda.bpm.engine.BadUserRequestException;
import org.camunda.bpm.engine.delegate.DelegateCaseExecution;
import org.camunda.bpm.engine.delegate.DelegateExecution;
import org.camunda.bpm.engine.impl.cfg.AbstractProcessEnginePlugin;
import org.camunda.bpm.engine.impl.cfg.ProcessEngineConfigurationImpl;
import org.camunda.bpm.engine.impl.cfg.multitenancy.TenantIdProvider;
import org.camunda.bpm.engine.impl.cfg.multitenancy.TenantIdProviderCaseInstanceContext;
import org.camunda.bpm.engine.impl.cfg.multitenancy.TenantIdProviderHistoricDecisionInstanceContext;
import org.camunda.bpm.engine.impl.cfg.multitenancy.TenantIdProviderProcessInstanceContext;
import org.camunda.bpm.engine.impl.context.Context;
import org.camunda.bpm.engine.impl.identity.Authentication;
import org.camunda.bpm.engine.impl.interceptor.CommandContext;
import org.springframework.stereotype.Component;

/**
 * Every process instance belongs to exactly one RIEC region.
 *
 * <p>Regions are Camunda tenants (riec-noord, riec-limburg, ...). Process definitions are deployed
 * without a tenant and shared by all regions; each instance gets its region's tenant id here, when
 * it starts. With tenant checks on (the engine's default), Tasklist, Cockpit and the REST API then
 * show a user only the instances, tasks, history, variables and incidents of the regions the user
 * is a member of, and refuse direct access by id to everything else.
 *
 * <p>The tenant of a new instance, in this order:
 * <ol>
 *   <li>started by a call activity (or CMMN case task): the calling instance's tenant;</li>
 *   <li>the start variable {@code region}, if given: it must be a region the starting user is a
 *       member of (refused with 403 otherwise); the administrator and engine-internal starts may
 *       name any existing region;</li>
 *   <li>a user who is a member of exactly one region: that region;</li>
 *   <li>a national system process ({@link #SYSTEM_PROCESSES}: started by its timer, or by the
 *       administrator) without the variable: no region;</li>
 *   <li>otherwise the start is refused (400): nothing ever runs without a region, because an
 *       instance without a tenant would be visible in every region.</li>
 * </ol>
 * No business logic: which region a signal belongs to is decided by who registers it.
 */
@Component
public class RegionTenants extends AbstractProcessEnginePlugin implements TenantIdProvider {

  /** Name of the start variable that names the region explicitly. */
  public static final String REGION_VARIABLE = "region";

  /**
   * National system processes the engine starts itself (timer start events): they belong to no region. They hold
   * counts only, no case data, so being visible in every region shows nothing (the daily retention sweep, R-7.1).
   */
  public static final Set<String> SYSTEM_PROCESSES = Set.of("riec-retention-sweep");

  @Override
  public void preInit(ProcessEngineConfigurationImpl configuration) {
    configuration.setTenantIdProvider(this);
  }

  @Override
  public String provideTenantIdForProcessInstance(TenantIdProviderProcessInstanceContext ctx) {
    String processKey = ctx.getProcessDefinition().getKey();
    if (ctx.getSuperExecution() != null) {
      return inherited(ctx.getSuperExecution().getTenantId(), processKey);
    }
    if (ctx.getSuperCaseExecution() != null) {
      return inherited(ctx.getSuperCaseExecution().getTenantId(), processKey);
    }
    return forStart(ctx.getVariables() == null ? null : ctx.getVariables().get(REGION_VARIABLE), processKey);
  }

  @Override
  public String provideTenantIdForCaseInstance(TenantIdProviderCaseInstanceContext ctx) {
    String caseKey = ctx.getCaseDefinition().getKey();
    if (ctx.getSuperExecution() != null) {
      return inherited(ctx.getSuperExecution().getTenantId(), caseKey);
    }
    if (ctx.getSuperCaseExecution() != null) {
      return inherited(ctx.getSuperCaseExecution().getTenantId(), caseKey);
    }
    return forStart(ctx.getVariables() == null ? null : ctx.getVariables().get(REGION_VARIABLE), caseKey);
  }

  /** A decision evaluated inside a process belongs to that process's region; a stand-alone one to none. */
  @Override
  public String provideTenantIdForHistoricDecisionInstance(TenantIdProviderHistoricDecisionInstanceContext ctx) {
    DelegateExecution execution = ctx.getExecution();
    if (execution != null) {
      return execution.getTenantId();
    }
    DelegateCaseExecution caseExecution = ctx.getCaseExecution();
    return caseExecution == null ? null : caseExecution.getTenantId();
  }

  private static String inherited(String tenantId, String key) {
    if (tenantId == null) {
      throw new BadUserRequestException("Cannot start '" + key + "': the calling process has no region (R-6.1).");
    }
    return tenantId;
  }

  private static String forStart(Object requested, String key) {
    CommandContext commandContext = Context.getCommandContext();
    Authentication authentication = commandContext.getAuthentication();
    boolean unrestricted = authentication == null
        || commandContext.getAuthorizationManager().isCamundaAdmin(authentication);
    if (requested == null && SYSTEM_PROCESSES.contains(key)) {
      return null;  // its timer start (or the administrator running it by hand, the only one allowed to)
    }
    List<String> memberships = authentication == null ? null : authentication.getTenantIds();

    if (requested != null) {
      if (!(requested instanceof String region) || region.isBlank()) {
        throw new BadUserRequestException("Cannot start '" + key + "': the variable 'region' must name a region (R-6.1).");
      }
      if (memberships != null && memberships.contains(region)) {
        return region;
      }
      if (unrestricted && regionExists(commandContext, region)) {
        return region;
      }
      if (unrestricted) {
        throw new BadUserRequestException("Cannot start '" + key + "': there is no region '" + region + "' (R-6.1).");
      }
      throw new AuthorizationException("User '" + authentication.getUserId()
          + "' may not start '" + key + "' in region '" + region + "': not a member of that region (R-6.1).");
    }
    if (memberships != null && memberships.size() == 1) {
      return memberships.get(0);
    }
    throw new BadUserRequestException("Cannot start '" + key + "' without a region: pass the start variable 'region' "
        + "(one of the regions you are a member of) (R-6.1).");
  }

  private static boolean regionExists(CommandContext commandContext, String region) {
    return commandContext.runWithoutAuthorization(
        () -> commandContext.getReadOnlyIdentityProvider()
            .createTenantQuery(commandContext).tenantId(region).count() == 1);
  }
}
