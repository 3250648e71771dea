package nl.riec.engine;

import java.io.ByteArrayInputStream;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.net.URLDecoder;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Locale;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import jakarta.servlet.FilterChain;
import jakarta.servlet.ReadListener;
import jakarta.servlet.ServletException;
import jakarta.servlet.ServletInputStream;
import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletRequestWrapper;
import jakarta.servlet.http.HttpServletResponse;
import jakarta.servlet.http.HttpSession;
import org.camunda.bpm.engine.ProcessEngine;
import org.camunda.bpm.engine.authorization.Groups;
import org.camunda.bpm.engine.impl.identity.Authentication;
import org.camunda.bpm.webapp.impl.security.auth.AuthenticationUtil;
import org.camunda.bpm.webapp.impl.security.auth.UserAuthentication;
import org.springframework.beans.factory.ObjectProvider;
import org.springframework.boot.web.servlet.FilterRegistrationBean;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;
import org.springframework.web.filter.OncePerRequestFilter;

/**
 * Servlet filters in front of the engine's HTTP APIs: the second layer against
 * CVE-2026-109432 (or-query expressions) and the closed first-run setup (CVE-2026-77226).
 * The first layer, inside the engine, is {@link OrQueryExpressionGuard}.
 */
@Configuration
public class RequestGuards {

  /** Runs after {@link RestAuthentication}'s basic-auth filter, so the caller is known on /engine-rest. */
  static final int OR_QUERY_GUARD_ORDER = RestAuthentication.ORDER + 10;

  @Bean
  public FilterRegistrationBean<OrQueryBodyGuard> orQueryBodyGuard(ObjectProvider<ProcessEngine> engine) {
    FilterRegistrationBean<OrQueryBodyGuard> registration = new FilterRegistrationBean<>(new OrQueryBodyGuard(engine));
    registration.setName("riec-or-query-expression-guard");
    registration.addUrlPatterns("/engine-rest/*", "/camunda/api/engine/*");
    registration.setOrder(OR_QUERY_GUARD_ORDER);
    return registration;
  }

  @Bean
  public FilterRegistrationBean<SetupClosed> setupClosed() {
    FilterRegistrationBean<SetupClosed> registration = new FilterRegistrationBean<>(new SetupClosed());
    registration.setName("riec-setup-closed");
    // The whole admin API: the path is checked after the container has decoded and normalised it.
    registration.addUrlPatterns("/camunda/api/admin/*");
    registration.setOrder(RestAuthentication.ORDER);
    return registration;
  }

  /**
   * CVE-2026-109432, second layer: a request whose JSON body (or ?orQueries= parameter) has a key
   * ending in "Expression" inside any "orQueries" is answered 400 before it reaches the REST API.
   * Exception: administrators (members of camunda-admin) creating or updating a filter; the engine
   * layer still refuses such a filter when it is executed. The body is parsed with Jackson, then
   * handed on unchanged.
   */
  static class OrQueryBodyGuard extends OncePerRequestFilter {
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final Pattern FILTER_WRITE = Pattern.compile("(?:/engine/([^/]+))?/filter/(create|[^/]+)/?$");
    private final ObjectProvider<ProcessEngine> engine;

    OrQueryBodyGuard(ObjectProvider<ProcessEngine> engine) {
      this.engine = engine;
    }

    @Override
    protected void doFilterInternal(HttpServletRequest request, HttpServletResponse response, FilterChain chain)
        throws ServletException, IOException {
      HttpServletRequest forward = request;
      String offending = null;
      // Only the query string: reading parameters would consume a form body meant for the REST API.
      for (String pair : request.getQueryString() == null ? new String[0] : request.getQueryString().split("&")) {
        String[] nameValue = pair.split("=", 2);
        if (offending == null && nameValue.length == 2 && "orqueries".equalsIgnoreCase(decode(nameValue[0]))) {
          offending = expressionKeyIn(decode(nameValue[1]).getBytes(StandardCharsets.UTF_8), true);
        }
      }
      String contentType = request.getContentType() == null ? "" : request.getContentType().toLowerCase(Locale.ROOT);
      if (offending == null && !contentType.startsWith("multipart/") && !contentType.startsWith("application/x-www-form-urlencoded")) {
        byte[] body = request.getInputStream().readAllBytes();
        forward = new CachedBody(request, body);
        offending = expressionKeyIn(body, false);
      }
      if (offending != null && !(isFilterWrite(request) && isAdministrator(request))) {
        response.setStatus(HttpServletResponse.SC_BAD_REQUEST);
        response.setContentType("application/json");
        response.setCharacterEncoding("UTF-8");
        response.getWriter().write(JSON.writeValueAsString(java.util.Map.of(
            "type", "InvalidRequestException",
            "message", "Expressions are forbidden in or-queries ('" + offending + "' inside 'orQueries'); refused by"
                + " the RIEC request guard (CVE-2026-109432).")));
        return;
      }
      chain.doFilter(forward, response);
    }

    private static String decode(String text) {
      try {
        return URLDecoder.decode(text, StandardCharsets.UTF_8);
      } catch (IllegalArgumentException malformed) {
        return text;
      }
    }

    /** The first key ending in "Expression" inside any "orQueries" of the JSON, or null (also when it is no JSON). */
    static String expressionKeyIn(byte[] json, boolean isOrQueries) {
      if (json.length == 0) {
        return null;
      }
      try {
        return find(JSON.readTree(json), isOrQueries);
      } catch (IOException notJson) {
        return null; // the REST API refuses it itself
      }
    }

    private static String find(JsonNode node, boolean insideOrQueries) {
      if (node == null) {
        return null;
      }
      if (node.isObject()) {
        for (var fields = node.fields(); fields.hasNext(); ) {
          var field = fields.next();
          if (insideOrQueries && field.getKey().toLowerCase(Locale.ROOT).endsWith("expression")) {
            return field.getKey();
          }
          String found = find(field.getValue(), insideOrQueries || "orqueries".equalsIgnoreCase(field.getKey()));
          if (found != null) {
            return found;
          }
        }
      } else if (node.isArray()) {
        for (JsonNode element : node) {
          String found = find(element, insideOrQueries);
          if (found != null) {
            return found;
          }
        }
      }
      return null;
    }

    private static boolean isFilterWrite(HttpServletRequest request) {
      String path = request.getPathInfo() == null ? "" : request.getPathInfo();
      Matcher matcher = FILTER_WRITE.matcher(path);
      if (!matcher.find()) {
        return false;
      }
      boolean create = "create".equals(matcher.group(2));
      return create ? "POST".equals(request.getMethod()) : "PUT".equals(request.getMethod());
    }

    /** Basic auth on /engine-rest (set by the filter before this one), the webapp session on /camunda/api/engine. */
    private boolean isAdministrator(HttpServletRequest request) {
      List<String> groups = List.of();
      if (request.getServletPath().startsWith("/engine-rest")) {
        ProcessEngine processEngine = engine.getIfAvailable();
        Authentication current = processEngine == null ? null : processEngine.getIdentityService().getCurrentAuthentication();
        groups = current == null || current.getGroupIds() == null ? List.of() : current.getGroupIds();
      } else {
        HttpSession session = request.getSession(false);
        Matcher matcher = FILTER_WRITE.matcher(request.getPathInfo() == null ? "" : request.getPathInfo());
        String engineName = matcher.find() && matcher.group(1) != null ? matcher.group(1) : "default";
        if (session != null && AuthenticationUtil.getAuthsFromSession(session)
            .getAuthenticationForProcessEngine(engineName) instanceof UserAuthentication user && user.getGroupIds() != null) {
          groups = user.getGroupIds();
        }
      }
      return groups.contains(Groups.CAMUNDA_ADMIN);
    }
  }

  /** A request whose body was read by the guard, handed on to the REST API as if unread. */
  static class CachedBody extends HttpServletRequestWrapper {
    private final byte[] body;

    CachedBody(HttpServletRequest request, byte[] body) {
      super(request);
      this.body = body;
    }

    @Override
    public ServletInputStream getInputStream() {
      ByteArrayInputStream in = new ByteArrayInputStream(body);
      return new ServletInputStream() {
        @Override public int read() { return in.read(); }
        @Override public int read(byte[] b, int off, int len) { return in.read(b, off, len); }
        @Override public boolean isFinished() { return in.available() == 0; }
        @Override public boolean isReady() { return true; }
        @Override public void setReadListener(ReadListener listener) { throw new UnsupportedOperationException(); }
      };
    }

    @Override
    public BufferedReader getReader() {
      String encoding = getCharacterEncoding() == null ? "UTF-8" : getCharacterEncoding();
      return new BufferedReader(new InputStreamReader(getInputStream(), java.nio.charset.Charset.forName(encoding)));
    }

    @Override
    public int getContentLength() {
      return body.length;
    }

    @Override
    public long getContentLengthLong() {
      return body.length;
    }
  }

  /**
   * CVE-2026-77226: the Admin webapp's first-run setup ({@code POST /camunda/api/admin/setup/{engine}/user/create})
   * needs no login and creates an administrator whenever camunda-admin has no direct member. Refused for
   * good, whatever the group's membership: the administrator comes from configuration only
   * ({@code camunda.bpm.admin-user}, RIEC_ENGINE_USER / RIEC_ENGINE_PASSWORD).
   */
  static class SetupClosed extends OncePerRequestFilter {
    @Override
    protected void doFilterInternal(HttpServletRequest request, HttpServletResponse response, FilterChain chain)
        throws ServletException, IOException {
      String path = (request.getServletPath() + (request.getPathInfo() == null ? "" : request.getPathInfo()))
          .replaceAll("/+", "/").toLowerCase(Locale.ROOT);
      if (path.startsWith("/camunda/api/admin/setup")) {
        response.sendError(HttpServletResponse.SC_FORBIDDEN, "The first-run setup is disabled; the administrator comes from configuration.");
        return;
      }
      chain.doFilter(request, response);
    }
  }
}
